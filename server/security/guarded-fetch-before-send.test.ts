import { afterEach, describe, expect, it } from 'vitest';
import { parseEgressAllowList } from '@/server/security/egress-allowlist';
import type { TResolveHost } from '@/server/security/egress-guard';
import { guardedFetch } from '@/server/security/guarded-fetch';
import { answer, startLoopbackServer, type TLoopbackServer } from '@/server/security/loopback-test-server';

// beforeSend is the last word before a request leaves: the worker checks there that it still
// holds the run, after the DNS lookup and the connect, which may take long (or the process may
// be frozen in between, SIGSTOP) — SPEC §7.3, nothing starts after a cancel.

const servers: TLoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const ONLY_127_0_0_1 = parseEgressAllowList('127.0.0.1');

class LeaseGone extends Error {}

/** A resolver that answers 127.0.0.1 only once `release` is called, so a test can act while the lookup hangs. */
function heldDns(): { resolveHost: TResolveHost; looking: Promise<void>; release: () => void } {
  let release!: () => void;
  let started!: () => void;
  const looking = new Promise<void>((resolve) => (started = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const resolveHost: TResolveHost = async () => {
    started();
    await released;
    return [{ address: '127.0.0.1', family: 4 }];
  };
  return { resolveHost, looking, release };
}

describe('guardedFetch: beforeSend', () => {
  it('sends nothing when beforeSend throws after a slow lookup, and rethrows its error as is', async () => {
    const server = await startLoopbackServer('127.0.0.1', answer(200, 'ok'));
    servers.push(server);
    const dns = heldDns();
    let held = true;
    const beforeSend = () => {
      if (!held) throw new LeaseGone('lease lost');
    };
    const call = guardedFetch({
      url: `http://slow.test:${server.port}/effect`,
      method: 'POST',
      body: 'x',
      allow: ONLY_127_0_0_1,
      resolveHost: dns.resolveHost,
      beforeSend,
    }).then(
      () => null,
      (error: unknown) => error,
    );
    await dns.looking;
    // The operator takes the run while this worker waits for DNS (or is frozen there).
    held = false;
    dns.release();
    expect(await call).toBeInstanceOf(LeaseGone);
    // The server's request handler runs on 'end'; one more round trip proves nothing is in flight.
    const probe = await guardedFetch({ url: `${server.origin}/probe`, allow: ONLY_127_0_0_1 });
    expect(probe.status).toBe(200);
    expect(server.hits.map((hit) => hit.url)).toEqual(['/probe']);
  });

  it('is asked on every hop of a redirect, and the request goes out while it holds', async () => {
    const target = await startLoopbackServer('127.0.0.1', answer(200, 'there'));
    servers.push(target);
    const first = await startLoopbackServer('127.0.0.1', answer(302, '', { location: `${target.origin}/there` }));
    servers.push(first);
    let asked = 0;
    const response = await guardedFetch({
      url: `${first.origin}/here`,
      allow: ONLY_127_0_0_1,
      beforeSend: () => void (asked += 1),
    });
    expect(response.body.toString()).toBe('there');
    expect(asked).toBe(2);
    expect(first.hits).toHaveLength(1);
    expect(target.hits).toHaveLength(1);
  });

  it('stops a redirect that would be followed after the lease is gone', async () => {
    const target = await startLoopbackServer('127.0.0.1', answer(200, 'there'));
    servers.push(target);
    let held = true;
    const first = await startLoopbackServer('127.0.0.1', (_hit, response) => {
      held = false;
      response.writeHead(307, { location: `${target.origin}/there` }).end();
    });
    servers.push(first);
    const error = await guardedFetch({
      url: `${first.origin}/here`,
      allow: ONLY_127_0_0_1,
      beforeSend: () => {
        if (!held) throw new LeaseGone('lease lost');
      },
    }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(LeaseGone);
    expect(target.hits).toHaveLength(0);
  });
});
