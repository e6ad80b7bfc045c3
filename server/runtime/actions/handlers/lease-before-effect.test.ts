import { afterEach, describe, expect, it } from 'vitest';
import { getActionHandler, type TActionInvocation } from '@/server/runtime/actions/handlers';
import { LeaseLostError } from '@/server/runtime/interpreter/run-writer';
import { answer, startLoopbackServer, type TLoopbackServer } from '@/server/security/loopback-test-server';

// A worker that lost its run between the step's last check and the socket write (a long
// lookup or connect, or SIGSTOP there) must not call out (SPEC §7.3): each HTTP action asks
// the invocation right before its request is written. The slow-lookup interleaving itself is
// forced in guarded-fetch-before-send.test.ts; this proves every outbound action asks.

const savedAllow = process.env.PIPEWRIGHT_EGRESS_ALLOW;
let server: TLoopbackServer | null = null;
afterEach(async () => {
  if (savedAllow === undefined) delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  else process.env.PIPEWRIGHT_EGRESS_ALLOW = savedAllow;
  await server?.close();
  server = null;
});

function invocationWithoutLease(): TActionInvocation {
  return {
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
    assertLeaseHeld: () => {
      throw new LeaseLostError('00000000-0000-0000-0000-000000000002');
    },
  };
}

describe.each([
  ['http.request', (origin: string) => ({ method: 'POST', url: `${origin}/effect`, body: { a: 1 } })],
  ['webhook.send', (origin: string) => ({ url: `${origin}/effect`, payload: { a: 1 }, secret: 'whsec-test-1234' })],
])('%s@1 without the lease', (action, input) => {
  it('throws LeaseLostError and sends nothing', async () => {
    server = await startLoopbackServer('127.0.0.1', answer(200, 'ok'));
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    const handler = getActionHandler(action, 1);
    const call = handler?.({
      input: input(server.origin),
      signal: new AbortController().signal,
      idempotencyKey: 'run:steps[0]',
      invocation: invocationWithoutLease(),
    });
    await expect(call).rejects.toBeInstanceOf(LeaseLostError);
    expect(server.hits).toHaveLength(0);
  });
});
