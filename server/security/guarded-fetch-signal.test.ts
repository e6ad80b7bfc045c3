import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEgressAllowList } from '@/server/security/egress-allowlist';
import { closeEgressConnectionPools, egressConnectionPoolFor } from '@/server/security/egress-connection-pool';
import { guardedFetch, type TGuardedFetchRequest } from '@/server/security/guarded-fetch';
import { answer, startLoopbackServer, type TLoopbackServer } from '@/server/security/loopback-test-server';

// The call's signal and request options, built by hand since AbortSignal.any and a URL handed to
// http.request cost a durable step more than the rest of the client did. Loopback only.
const servers: TLoopbackServer[] = [];
afterEach(async () => {
  closeEgressConnectionPools();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
const ONLY_127_0_0_1 = parseEgressAllowList('127.0.0.1');
const modes: Array<[string, () => Partial<TGuardedFetchRequest>]> = [
  ['a new connection', () => ({})],
  ['the tenant pool', () => ({ pool: egressConnectionPoolFor('tenant-signal') })],
];

describe.each(modes)('guardedFetch over %s', (_mode, extra) => {
  it('leaves no listener on the caller signal, which outlives the call (a run, a step)', async () => {
    const server = await startLoopbackServer('127.0.0.1', answer(200, 'ok'));
    servers.push(server);
    const caller = new AbortController();
    for (let i = 0; i < 3; i++) {
      const response = await guardedFetch({
        url: server.origin,
        signal: caller.signal,
        allow: ONLY_127_0_0_1,
        ...extra(),
      });
      expect(response.status).toBe(200);
    }
    const refused = await guardedFetch({
      url: 'http://127.0.0.2:1/',
      signal: caller.signal,
      allow: ONLY_127_0_0_1,
      ...extra(),
    }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'EGRESS_BLOCKED' });
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('cancels a call the server has not answered: CANCELED, its connection closed', async () => {
    let closed = false;
    const server = await startLoopbackServer('127.0.0.1', (_hit, response) => {
      response.on('close', () => (closed = true));
    });
    servers.push(server);
    const caller = new AbortController();
    const call = guardedFetch({ url: server.origin, signal: caller.signal, allow: ONLY_127_0_0_1, ...extra() }).catch(
      (error: unknown) => error,
    );
    await expect.poll(() => server.hits.length).toBe(1);
    caller.abort();
    expect(await call).toMatchObject({ code: 'CANCELED', retryable: false });
    await expect.poll(() => closed).toBe(true);
  });

  it("sends a URL's credentials as Basic auth, and its path and query as they are", async () => {
    const server = await startLoopbackServer('127.0.0.1', answer(200, 'ok'));
    servers.push(server);
    const url = `http://us%20er:p%40ss@127.0.0.1:${server.port}/a%20b/c?x=1&y=%2F`;
    await guardedFetch({ url, allow: ONLY_127_0_0_1, ...extra() });
    expect(server.hits[0]?.url).toBe('/a%20b/c?x=1&y=%2F');
    expect(server.hits[0]?.headers.authorization).toBe(`Basic ${Buffer.from('us er:p@ss').toString('base64')}`);
  });
});
