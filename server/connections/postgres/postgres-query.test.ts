import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { putConnection } from '@/server/connections/put-connection';
import { closePostgresPools, POOL_MAX_CLIENTS } from '@/server/connections/postgres/postgres-pools';
import { postgresQueryHandler } from '@/server/runtime/actions/handlers/postgres-query-handler';
import type { TActionHandlerResult } from '@/server/runtime/actions/handlers/action-handler';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

// The target is a second database on the embedded PostgreSQL, reached as a user of its own.
let t: TTestDatabase;
let ctx: TAuthContext;
let targetUrl: URL;
const PASSWORD = 'warehouse-pw-61c0d9';
const ROLE = `pw_reader_${Math.random().toString(36).slice(2, 8)}`;
const savedAllow = process.env.PIPEWRIGHT_EGRESS_ALLOW;
const masked: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase('postgres_query');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  const adminUrl = inject('adminDatabaseUrl');
  const target = `${t.name}_target`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${target}"`);
  await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
  await admin.end();
  targetUrl = new URL(adminUrl);
  targetUrl.pathname = `/${target}`;
  const setup = new pg.Client({ connectionString: targetUrl.toString() });
  await setup.connect();
  await setup.query(`CREATE TABLE orders (id bigint PRIMARY KEY, customer text, total numeric(10,2), placed date, receipt bytea);
    INSERT INTO orders SELECT g, 'customer ' || g, g * 1.5, date '2026-01-01' + g, '\\x00ff'::bytea FROM generate_series(1, 20) g;
    CREATE TABLE notes (id serial PRIMARY KEY, body text);
    GRANT SELECT, INSERT ON orders, notes TO ${ROLE}; GRANT USAGE ON SEQUENCE notes_id_seq TO ${ROLE};`);
  await setup.end();
  const as = new URL(targetUrl);
  as.username = ROLE;
  as.password = PASSWORD;
  await putConnection({
    db: t.db,
    ctx,
    input: { name: 'warehouse', type: 'postgres', config: { connectionString: as.toString() } },
  });
  as.password = 'not-the-password';
  await putConnection({
    db: t.db,
    ctx,
    input: { name: 'wrong', type: 'postgres', config: { connectionString: as.toString() } },
  });
  const closed = new URL(as);
  closed.port = '1';
  await putConnection({
    db: t.db,
    ctx,
    input: { name: 'closed', type: 'postgres', config: { connectionString: closed.toString() } },
  });
});
afterEach(() => {
  if (savedAllow === undefined) delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  else process.env.PIPEWRIGHT_EGRESS_ALLOW = savedAllow;
});
afterAll(async () => {
  await closePostgresPools();
  await closeExpressionPool();
  await t.close();
});

function query(input: Record<string, unknown>, signal = new AbortController().signal): Promise<TActionHandlerResult> {
  process.env.PIPEWRIGHT_EGRESS_ALLOW ??= '127.0.0.1';
  return postgresQueryHandler({
    input: { connection: 'warehouse', ...input },
    signal,
    idempotencyKey: 'k',
    invocation: {
      db: t.db,
      tenantId: ctx.tenantId,
      runId: '00000000-0000-0000-0000-000000000000',
      stepPath: 'steps[0]',
      maskSecrets: (value) => value,
      addSecret: (value) => masked.push(value),
      assertLeaseHeld: () => undefined,
    },
  });
}
const countNotes = async () => {
  const client = new pg.Client({ connectionString: targetUrl.toString() });
  await client.connect();
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM notes');
  await client.end();
  return rows[0]?.n;
};

describe('postgres.query@1', () => {
  it('returns rows as JSON with parameters bound as values, and names the password to the mask', async () => {
    const result = await query({
      sql: 'SELECT * FROM orders WHERE id <= $1 AND customer <> $2 ORDER BY id',
      params: [2, "x'; DROP TABLE orders; --"],
    });
    expect(result).toEqual({
      output: {
        rowCount: 2,
        rows: [
          {
            id: '1',
            customer: 'customer 1',
            total: '1.50',
            placed: expect.stringMatching(/^2026-01-0[12]T/),
            receipt: { base64: 'AP8=' },
          },
          expect.objectContaining({ id: '2' }),
        ],
      },
    });
    expect(masked).toContain(PASSWORD);
  });

  it('writes and reports rowCount; readOnly refuses a write and nothing is stored', async () => {
    const before = await countNotes();
    expect(await query({ sql: 'INSERT INTO notes (body) VALUES ($1), ($2)', params: ['a', 'b'] })).toEqual({
      output: { rows: [], rowCount: 2 },
    });
    const refused = await query({ sql: 'INSERT INTO notes (body) VALUES ($1)', params: ['c'], readOnly: true });
    expect(refused).toMatchObject({ error: { code: 'QUERY', retryable: false, details: { sqlstate: '25006' } } });
    expect(await countNotes()).toBe((before ?? 0) + 2);
  });

  it('takes one statement only: a second one cannot end the transaction', async () => {
    const result = await query({ sql: 'SELECT 1; INSERT INTO notes (body) VALUES ($$x$$)', readOnly: true });
    expect(result).toMatchObject({ error: { code: 'QUERY', details: { sqlstate: '42601' } } });
  });

  it('reports a SQL error with its SQLSTATE and position, not retried', async () => {
    expect(await query({ sql: 'SELECT * FROM ordrs' })).toMatchObject({
      error: {
        code: 'QUERY',
        retryable: false,
        message: expect.stringMatching(/ordrs/),
        details: { sqlstate: '42P01', position: 15 },
      },
    });
  });

  it('stops a statement at its timeout (TIMEOUT, retryable) and the pooled session stays usable', async () => {
    expect(await query({ sql: 'SELECT pg_sleep(5)', timeoutMs: 200 })).toMatchObject({
      error: { code: 'TIMEOUT', retryable: true },
    });
    expect(await query({ sql: 'SELECT 1 AS one' })).toEqual({ output: { rows: [{ one: 1 }], rowCount: 1 } });
  });

  it('fails past 10,000 rows and rolls back what the statement wrote', async () => {
    expect(await query({ sql: 'SELECT g FROM generate_series(1, 10001) g' })).toMatchObject({
      error: { code: 'VALIDATION', details: { rows: 10001, maxRows: 10000 } },
    });
    const before = await countNotes();
    const write = await query({
      sql: "INSERT INTO notes (body) SELECT 'n' || g FROM generate_series(1, 10001) g RETURNING id",
    });
    expect(write).toMatchObject({ error: { code: 'VALIDATION' } });
    expect(await countNotes()).toBe(before);
    const exactly = await query({ sql: 'SELECT g FROM generate_series(1, 10000) g' });
    expect('output' in exactly && (exactly.output as { rowCount: number }).rowCount).toBe(10000);
  });

  it('keeps to a small pool: concurrent queries share at most a few sessions', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => query({ sql: 'SELECT pg_backend_pid() AS pid, pg_sleep(0.1)' })),
    );
    const pids = new Set(
      results.map((result) =>
        'output' in result ? (result.output as { rows: Array<{ pid: number }> }).rows[0]?.pid : null,
      ),
    );
    expect(pids.has(null)).toBe(false);
    expect(pids.size).toBeLessThanOrEqual(POOL_MAX_CLIENTS);
  });

  it('wrong credentials: CONNECTION, not retried, without the password in the message', async () => {
    const result = await query({ connection: 'wrong', sql: 'SELECT 1' });
    expect(result).toMatchObject({ error: { code: 'CONNECTION', retryable: false, details: { sqlstate: '28P01' } } });
    expect(JSON.stringify(result)).not.toContain('not-the-password');
  });

  it('unreachable host: CONNECTION, retryable', async () => {
    expect(await query({ connection: 'closed', sql: 'SELECT 1' })).toMatchObject({
      error: { code: 'CONNECTION', retryable: true, message: expect.stringMatching(/ECONNREFUSED/) },
    });
  });

  it('egress guard: a loopback database is refused unless PIPEWRIGHT_EGRESS_ALLOW names it', async () => {
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '10.0.0.0/8';
    expect(await query({ sql: 'SELECT 1' })).toMatchObject({ error: { code: 'EGRESS_BLOCKED', retryable: false } });
  });

  it('in a run: the output is the step result, and the password appears in no stored record', async () => {
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'report',
      document: {
        steps: [
          {
            id: 'q',
            type: 'action.call',
            config: {
              action: 'postgres.query',
              version: 1,
              input: {
                connection: 'warehouse',
                sql: "SELECT current_setting('application_name') AS app, $1::text AS echo",
                params: [{ $expr: 'payload.word' }],
                readOnly: true,
              },
              saveAs: 'vars.report',
            },
          },
          { id: 'done', type: 'control.return', config: { output: { $expr: 'vars.report.rows[0]' } } },
        ],
      } as never,
    });
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'report',
      input: { word: PASSWORD },
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    const run = await t.db.selectFrom('runs').select('output').where('id', '=', runId).executeTakeFirstOrThrow();
    // The password came back as data: masked like any resolved secret.
    expect(run.output).toEqual({ app: 'pipewright-postgres-query', echo: '••••••' });
  });
});
