import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import type { Db } from '@/server/db/database';
import type { Database } from '@/server/db/schema';
import { createDb } from '@/server/db/database';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { putSecret } from '@/server/secrets/put-secret';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import type { TAuthContext } from '@/server/auth/context';

// A step that calls out commits its RUNNING record (with the previous step's result) before
// anything leaves the process (SPEC §7.4). That commit now begins as the step starts, while its
// input is resolved (flushAhead), and callAction only waits for it: one commit per step still,
// and still durable before the call.

/**
 * The statements the worker began, in the order it began them: each is seen as it is handed to
 * its connection (the commit comes precompiled, so a Kysely plugin would not see it).
 */
class StatementOrder {
  readonly started: string[] = [];

  /** `pool`, with every statement of its clients seen first. */
  watch(pool: pg.Pool): PostgresPool {
    const see = (text: unknown) => {
      if (typeof text !== 'string') return;
      if (text.includes('SELECT r.event_seq, r.status')) this.started.push('commit');
      else if (/from "secrets"/.test(text)) this.started.push('secret');
    };
    return {
      connect: async () => {
        const client = await pool.connect();
        return new Proxy(client, {
          get(target, key, receiver) {
            if (key !== 'query') return Reflect.get(target, key, receiver) as unknown;
            return (text: unknown, ...rest: unknown[]) => {
              see(text);
              return (target.query as (...args: unknown[]) => unknown)(text, ...rest);
            };
          },
        });
      },
      end: () => Promise.resolve(),
    };
  }
}

let t: TTestDatabase;
let ctx: TAuthContext;
let pool: Awaited<ReturnType<typeof createDb>>['pool'];
let receiver: http.Server;
let origin = '';
/** What the database held when each request arrived: every step's status, in order. */
const seenAtCall: Array<{ path: string; statuses: string[] }> = [];
const savedAllow = process.env.PIPEWRIGHT_EGRESS_ALLOW;

beforeAll(async () => {
  t = await createTestDatabase('flush-ahead');
  process.env.DATABASE_URL = t.url;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  pool = createDb(t.url).pool;
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const runId = String(req.headers['x-run']);
      t.db
        .selectFrom('run_steps')
        .select(['status'])
        .where('run_id', '=', runId)
        .orderBy('started_at')
        .execute()
        .then(
          (rows) => {
            seenAtCall.push({ path: req.url ?? '', statuses: rows.map((r) => r.status) });
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end('{"ok":true}');
          },
          (error: unknown) => {
            res.writeHead(500);
            res.end(String(error));
          },
        );
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (savedAllow === undefined) delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  else process.env.PIPEWRIGHT_EGRESS_ALLOW = savedAllow;
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await pool.end();
  await closeExpressionPool();
  await t.close();
});

describe('a step that calls out', () => {
  it('begins its commit before resolving its input, commits once, and is durable before its call', async () => {
    const secret = `flush-ahead-token-${Date.now()}`;
    await putSecret({ db: t.db, ctx, input: { name: secret, value: 'token-value-123456' } });
    const call = (i: number) => ({
      id: `call${i}`,
      type: 'action.call',
      config: {
        action: 'http.request',
        version: 1,
        input: {
          method: 'POST',
          url: `${origin}/call${i}`,
          headers: { 'x-run': { $expr: 'meta.runId' }, authorization: { $secret: 'TOKEN' } },
          body: { i },
        },
      },
    });
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'flush-ahead',
      document: { env: { vars: {}, secrets: { TOKEN: secret } }, steps: [0, 1, 2].map(call) } as never,
    });
    const order = new StatementOrder();
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: order.watch(pool) }) }) as Db;
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'flush-ahead',
      input: {},
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db, runId })).toBe('SUCCEEDED');

    // Each step's commit began before its secret was read (before: secret, then commit), and
    // one commit per step plus the last: no second commit before the call.
    expect(order.started).toEqual(['commit', 'secret', 'commit', 'secret', 'commit', 'secret', 'commit']);
    // At each call, its own RUNNING record and every earlier step's result were committed.
    expect(seenAtCall).toEqual([
      { path: '/call0', statuses: ['RUNNING'] },
      { path: '/call1', statuses: ['SUCCEEDED', 'RUNNING'] },
      { path: '/call2', statuses: ['SUCCEEDED', 'SUCCEEDED', 'RUNNING'] },
    ]);
  });
});
