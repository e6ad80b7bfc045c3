import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { putConnection } from '@/server/connections/put-connection';
import { testConnection } from '@/server/connections/test-connection';
import { closePostgresPools } from '@/server/connections/postgres/postgres-pools';
import { startLoopbackServer, type TLoopbackServer } from '@/server/security/loopback-test-server';
import { startLoopbackSmtpServer } from '@/server/email/loopback-smtp-server';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let ctx: TAuthContext;
let api: TLoopbackServer;
const TOKEN = 'conn-token-5b9e2a71c3';
const savedAllow = process.env.PIPEWRIGHT_EGRESS_ALLOW;

beforeAll(async () => {
  t = await createTestDatabase('connection_calls');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  // Echoes what it got, the Authorization header included, as a careless API might.
  api = await startLoopbackServer('127.0.0.1', (hit, response) => {
    const authorized = hit.headers.authorization === `Bearer ${TOKEN}`;
    response.writeHead(authorized ? 200 : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ path: hit.url, authorization: hit.headers.authorization ?? null }));
  });
  await putConnection({
    db: t.db,
    ctx,
    input: {
      name: 'api',
      type: 'http',
      config: { baseUrl: `${api.origin}/v2`, auth: { type: 'bearer', token: TOKEN } },
    },
  });
  await putConnection({
    db: t.db,
    ctx,
    input: {
      name: 'api-wrong',
      type: 'http',
      config: { baseUrl: `${api.origin}/v2`, auth: { type: 'bearer', token: 'not-the-token' } },
    },
  });
  await putConnection({
    db: t.db,
    ctx,
    input: {
      name: 'keyed',
      type: 'http',
      config: { baseUrl: api.origin, auth: { type: 'query', name: 'key', value: TOKEN } },
    },
  });
});
afterEach(() => {
  if (savedAllow === undefined) delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  else process.env.PIPEWRIGHT_EGRESS_ALLOW = savedAllow;
});
afterAll(async () => {
  await api.close();
  await closePostgresPools();
  await closeExpressionPool();
  await t.close();
});

let workflows = 0;
async function runRequest(input: Record<string, unknown>) {
  workflows += 1;
  const key = `http-${workflows}`;
  await publishWorkflow({
    db: t.db,
    ctx,
    key,
    document: {
      steps: [
        {
          id: 'call',
          type: 'action.call',
          config: { action: 'http.request', version: 1, input },
          retry: { maxAttempts: 1 },
        },
      ],
    } as never,
  });
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
  const status = await driveRun({ db: t.db, runId });
  const step = await t.db
    .selectFrom('run_steps')
    .select(['status', 'input', 'output', 'error'])
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow();
  return { status, step };
}

describe('http.request with a connection', () => {
  it('resolves a relative URL under baseUrl, adds the auth, and masks the credential echoed back', async () => {
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    const { status, step } = await runRequest({ connection: 'api', method: 'GET', url: 'customers/7?full=1' });
    expect(status).toBe('SUCCEEDED');
    expect(api.hits.at(-1)?.url).toBe('/v2/customers/7?full=1');
    expect(api.hits.at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(step.input).toEqual({ connection: 'api', method: 'GET', url: 'customers/7?full=1' });
    expect(JSON.stringify(step.output)).not.toContain(TOKEN);
    expect(step.output).toMatchObject({ body: { path: '/v2/customers/7?full=1', authorization: 'Bearer ••••••' } });
  });

  it('adds a query credential without showing it in the stored output', async () => {
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    const { step } = await runRequest({ connection: 'keyed', method: 'GET', url: '/items' });
    expect(api.hits.at(-1)?.url).toBe(`/items?key=${TOKEN}`);
    expect(JSON.stringify(step)).not.toContain(TOKEN);
  });

  it('fails with HTTP 401 (not retried) when the credentials are wrong', async () => {
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    const { status, step } = await runRequest({ connection: 'api-wrong', method: 'GET', url: 'x' });
    expect(status).toBe('FAILED');
    expect(step.error).toMatchObject({ code: 'HTTP', details: { status: 401 } });
  });

  it('refuses a loopback baseUrl unless PIPEWRIGHT_EGRESS_ALLOW names it, before sending anything', async () => {
    delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
    const before = api.hits.length;
    const { status, step } = await runRequest({ connection: 'api', method: 'GET', url: 'x' });
    expect(status).toBe('FAILED');
    expect(step.error).toMatchObject({ code: 'EGRESS_BLOCKED' });
    expect(api.hits.length).toBe(before);
  });

  it('never sends the credential off the baseUrl: another origin or a climb out of its path is refused', async () => {
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.0/8';
    const before = api.hits.length;
    const other = await runRequest({ connection: 'api', method: 'GET', url: 'http://127.0.0.2:9/steal' });
    expect(other.step.error).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/path under its baseUrl/),
    });
    const climb = await runRequest({ connection: 'api', method: 'GET', url: '../admin' });
    expect(climb.step.error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/climbs out/) });
    expect(api.hits.length).toBe(before);
  });

  it('fails with CONNECTION_MISSING for an unknown name and VALIDATION for one of another type', async () => {
    await putConnection({
      db: t.db,
      ctx,
      input: { name: 'db', type: 'postgres', config: { connectionString: 'postgres://u:pw12@127.0.0.1:1/x' } },
    });
    expect((await runRequest({ connection: 'nope', method: 'GET', url: 'x' })).step.error).toMatchObject({
      code: 'CONNECTION_MISSING',
    });
    expect((await runRequest({ connection: 'db', method: 'GET', url: 'x' })).step.error).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/postgres connection/),
    });
  });

  it('still refuses a relative URL without a connection: at publish, and at run time when computed', async () => {
    await expect(runRequest({ method: 'GET', url: '/relative' })).rejects.toThrow(/cannot be published/);
    const { step } = await runRequest({ method: 'GET', url: { $expr: '"/relative"' } });
    expect(step.error).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/url: must be an absolute/),
    });
  });
});

describe('test connection', () => {
  it('http: ok with the right credentials, "refused" with wrong ones, EGRESS_BLOCKED without the allow list', async () => {
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    expect(await testConnection({ db: t.db, ctx, name: 'api' })).toMatchObject({ ok: true, message: /answered 200/ });
    expect(await testConnection({ db: t.db, ctx, name: 'api-wrong' })).toMatchObject({
      ok: false,
      code: 'HTTP',
      message: expect.stringMatching(/401: the credentials were refused/),
    });
    delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
    expect(await testConnection({ db: t.db, ctx, name: 'api' })).toMatchObject({ ok: false, code: 'EGRESS_BLOCKED' });
  });

  it('postgres: connects to the embedded server through the guard, reports a wrong password without echoing it', async () => {
    const url = new URL(t.url);
    await putConnection({
      db: t.db,
      ctx,
      input: { name: 'pg', type: 'postgres', config: { connectionString: t.url } },
    });
    url.password = 'wrong-password-8812';
    await putConnection({
      db: t.db,
      ctx,
      input: { name: 'pg-wrong', type: 'postgres', config: { connectionString: url.toString() } },
    });
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    expect(await testConnection({ db: t.db, ctx, name: 'pg' })).toMatchObject({ ok: true, message: /PostgreSQL \d+/ });
    const wrong = await testConnection({ db: t.db, ctx, name: 'pg-wrong' });
    expect(wrong.ok).toBe(false);
    expect(wrong.message).not.toContain('wrong-password-8812');
    delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
    expect(await testConnection({ db: t.db, ctx, name: 'pg' })).toMatchObject({ ok: false, code: 'EGRESS_BLOCKED' });
  });

  it('postgres: refuses a Unix-domain socket as a destination', async () => {
    await putConnection({
      db: t.db,
      ctx,
      input: { name: 'pg-socket', type: 'postgres', config: { connectionString: 'postgres://u:pw12@%2Ftmp/db' } },
    });
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    expect(await testConnection({ db: t.db, ctx, name: 'pg-socket' })).toMatchObject({
      ok: false,
      code: 'EGRESS_BLOCKED',
      message: expect.stringMatching(/Unix-domain socket/),
    });
  });

  it('smtp: talks to a loopback SMTP server through the guard; an unreachable port is a clear failure', async () => {
    const smtp = await startLoopbackSmtpServer('127.0.0.1');
    try {
      await putConnection({
        db: t.db,
        ctx,
        input: { name: 'mail', type: 'smtp', config: { host: '127.0.0.1', port: smtp.port, secure: false } },
      });
      delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
      expect(await testConnection({ db: t.db, ctx, name: 'mail' })).toMatchObject({
        ok: false,
        code: 'EGRESS_BLOCKED',
      });
      expect(smtp.connections()).toBe(0);
      process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
      expect(await testConnection({ db: t.db, ctx, name: 'mail' })).toMatchObject({ ok: true });
      expect(smtp.connections()).toBe(1);
    } finally {
      await smtp.close();
    }
    const closed = await testConnection({ db: t.db, ctx, name: 'mail' });
    expect(closed).toMatchObject({ ok: false, message: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('answers NOT_FOUND for an unknown connection', async () => {
    await expect(testConnection({ db: t.db, ctx, name: 'ghost' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
