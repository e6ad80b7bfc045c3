import { afterEach, describe, expect, it } from 'vitest';
import { ACTION_REFS } from '@/server/runtime/actions/action-descriptor';
import { ACTION_HANDLERS, getActionHandler, type TActionInvocation } from '@/server/runtime/actions/handlers';
import { answer, startLoopbackServer, type TLoopbackServer } from '@/server/security/loopback-test-server';

// Echo and HTTP never touch the database: a db that throws on use proves it.
const invocation: TActionInvocation = {
  db: new Proxy(
    {},
    {
      get: () => {
        throw new Error('the database was used');
      },
    },
  ) as TActionInvocation['db'],
  tenantId: '00000000-0000-0000-0000-000000000001',
  runId: '00000000-0000-0000-0000-000000000002',
  stepPath: 'steps[0]',
  maskSecrets: (value) => value,
  addSecret: () => undefined,
  assertLeaseHeld: () => undefined,
};
const args = { signal: new AbortController().signal, idempotencyKey: 'run-1:step', invocation };
const savedAllow = process.env.PIPEWRIGHT_EGRESS_ALLOW;
let server: TLoopbackServer | null = null;

afterEach(async () => {
  if (savedAllow === undefined) delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  else process.env.PIPEWRIGHT_EGRESS_ALLOW = savedAllow;
  await server?.close();
  server = null;
});

describe('action handlers', () => {
  it('has a handler for every built-in action, and none for unknown ones', () => {
    expect(Object.keys(ACTION_HANDLERS).sort()).toEqual([...ACTION_REFS].sort());
    expect(getActionHandler('webhook.send', 1)).toBe(ACTION_HANDLERS['webhook.send@1']);
    expect(getActionHandler('core.echo', 2)).toBeNull();
    expect(getActionHandler('nope', 1)).toBeNull();
  });

  it('core.echo@1 returns its input', async () => {
    const input = { a: [1, 'two', null] };
    expect(await getActionHandler('core.echo', 1)?.({ ...args, input })).toEqual({ output: input });
  });

  it('http.request@1 reads PIPEWRIGHT_EGRESS_ALLOW on each call', async () => {
    server = await startLoopbackServer('127.0.0.1', answer(200, 'hi'));
    const handler = getActionHandler('http.request', 1);
    const input = { method: 'GET', url: `${server.origin}/` };
    delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
    expect(await handler?.({ ...args, input })).toMatchObject({ error: { code: 'EGRESS_BLOCKED', retryable: false } });
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    expect(await handler?.({ ...args, input })).toMatchObject({ output: { status: 200, body: 'hi' } });
    expect(server.hits).toHaveLength(1);
  });

  it('http.request@1 fails with CONFIG, without sending, when PIPEWRIGHT_EGRESS_ALLOW is malformed', async () => {
    server = await startLoopbackServer('127.0.0.1', answer(200));
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1,10.0.0.0/40';
    const result = await getActionHandler(
      'http.request',
      1,
    )?.({ ...args, input: { method: 'GET', url: `${server.origin}/` } });
    expect(result).toMatchObject({ error: { code: 'CONFIG', retryable: false } });
    expect(result && 'error' in result ? result.error.message : '').toContain('"10.0.0.0/40"');
    expect(server.hits).toHaveLength(0);
  });
});
