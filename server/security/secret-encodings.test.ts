import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as secretsRoute from '@/app/api/v1/secrets/route';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { putSecret } from '@/server/secrets/put-secret';
import { startLoopbackServer, type TLoopbackServer } from '@/server/security/loopback-test-server';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

/**
 * Issue #15, item 4: a service that echoes a secret back in another encoding (URL-encoded in
 * an echoed URL, JSON-escaped inside an echoed body, base64, Basic credentials) had it stored
 * unmasked in step records, snapshots, events, the ledger, the run's output and its error.
 */

const SECRET = 'Sp3c/Val+ue "q" x&y=z';

let t: TTestDatabase;
let ctx: TAuthContext;
let echo: TLoopbackServer;
const savedAllow = process.env.PIPEWRIGHT_EGRESS_ALLOW;

beforeAll(async () => {
  t = await createTestDatabase('secret_encodings');
  process.env.DATABASE_URL = t.url;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  // Echoes what it got, and the credential in the encodings services tend to show it in.
  echo = await startLoopbackServer('127.0.0.1', (hit, response) => {
    const url = new URL(hit.url, 'http://echo.local');
    const token = url.searchParams.get('token') ?? '';
    const user = url.searchParams.get('user') ?? '';
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        url: hit.url,
        rawBody: hit.body,
        encoded: encodeURIComponent(token),
        base64: Buffer.from(token).toString('base64'),
        base64url: Buffer.from(token).toString('base64url'),
        basic: `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`,
      }),
    );
  });
  await putSecret({ db: t.db, ctx, input: { name: 'api-token', value: SECRET } });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'echoes',
    document: {
      env: { vars: { ECHO: echo.origin }, secrets: { TOKEN: 'api-token' } },
      steps: [
        {
          id: 'call',
          type: 'action.call',
          config: {
            action: 'http.request',
            version: 1,
            input: {
              method: 'POST',
              url: `${echo.origin}/echo`,
              query: { user: 'alice', token: { $secret: 'TOKEN' } },
              body: { token: { $secret: 'TOKEN' } },
            },
            saveAs: 'vars.echoed',
          },
        },
        { id: 'copy', type: 'transform.assign', config: { assign: { 'vars.copied': { $expr: 'vars.echoed.body' } } } },
        {
          id: 'fail',
          type: 'control.fail',
          config: {
            code: 'ECHOED',
            message: { $expr: '"echoed " & vars.echoed.body.url & " " & vars.echoed.body.basic' },
          },
        },
      ],
    } as never,
  });
});
afterAll(async () => {
  if (savedAllow === undefined) delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  else process.env.PIPEWRIGHT_EGRESS_ALLOW = savedAllow;
  await echo.close();
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

/** Every form of the secret the echo server sent back, as it would appear in stored JSON text. */
function encodings(): Record<string, string> {
  const form = new URLSearchParams({ token: SECRET }).toString().slice('token='.length);
  const json = JSON.stringify(SECRET).slice(1, -1);
  return {
    raw: SECRET,
    form,
    encodeURIComponent: encodeURIComponent(SECRET),
    json,
    base64: Buffer.from(SECRET).toString('base64'),
    base64url: Buffer.from(SECRET).toString('base64url'),
    basic: Buffer.from(`alice:${SECRET}`).toString('base64'),
  };
}

describe('secrets echoed in other encodings', () => {
  it('are masked in steps, vars, snapshots, events, the ledger and the error, as stored', async () => {
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'echoes',
      input: {},
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('FAILED');
    // The call did carry the secret: the echo server saw it.
    expect(echo.hits.at(-1)?.body).toContain(JSON.stringify(SECRET).slice(1, -1));

    const stored: Record<string, string> = {};
    for (const table of ['runs', 'run_steps', 'run_events', 'run_snapshots', 'action_invocations']) {
      const { rows } = await sql<{
        text: string;
      }>`SELECT row_to_json(x)::text AS text FROM ${sql.table(table)} x`.execute(t.db);
      stored[table] = rows.map((row) => row.text).join('\n');
    }
    // What was echoed reached each place (masked): the checks below are not vacuous.
    expect(stored.run_steps).toContain('echoed');
    expect(stored.runs).toContain('ECHOED');
    expect(stored.run_events).toContain('echoed /echo');
    // A step's snapshot is in its record (run_steps.snapshot).
    expect(stored.run_steps).toContain('copied');
    for (const [table, text] of Object.entries(stored)) {
      for (const [name, encoded] of Object.entries(encodings())) {
        // Stored JSON text escapes the string once more: look for both forms.
        for (const form of [encoded, JSON.stringify(encoded).slice(1, -1)])
          expect(text.includes(form), `${name} in ${table}`).toBe(false);
      }
    }
    const run = await t.db.selectFrom('runs').select('error').where('id', '=', runId).executeTakeFirstOrThrow();
    expect((run.error as { message: string }).message).toBe('echoed /echo?user=alice&token=•••••• Basic ••••••');
  });
});

describe('secret values shorter than 4 characters', () => {
  it('are refused at creation with 422 saying why', async () => {
    const { token } = await createApiToken({ db: t.db, ctx, input: { name: 'admin', role: 'admin' } });
    const response = await secretsRoute.POST(
      new Request('http://localhost/api/v1/secrets', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'pin', value: 'abc' }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(422);
    const body = (await response.json()) as {
      error: { code: string; message: string; details: Array<{ path: string; message: string }> };
    };
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.details[0]).toMatchObject({
      path: 'value',
      message: expect.stringMatching(/at least 4 characters.*masked/),
    });
    expect(await t.db.selectFrom('secrets').select('name').where('name', '=', 'pin').execute()).toEqual([]);
    // putSecret itself refuses it too (server actions, bootstrap, tests all go through it).
    await expect(putSecret({ db: t.db, ctx, input: { name: 'pin', value: 'abc' } })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
