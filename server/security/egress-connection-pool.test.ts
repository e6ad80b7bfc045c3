import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEgressAllowList } from '@/server/security/egress-allowlist';
import type { TResolveHost } from '@/server/security/egress-guard';
import {
  closeEgressConnectionPools,
  egressConnectionPoolFor,
  POOLED_SOCKET_IDLE_MS,
} from '@/server/security/egress-connection-pool';
import { guardedFetch } from '@/server/security/guarded-fetch';
import { GuardedFetchError } from '@/server/security/guarded-fetch-error';

/** A loopback server that counts the TCP connections its requests came on. */
type TCountingServer = {
  port: number;
  origin: string;
  connections: Socket[];
  hits: number;
  close: () => Promise<void>;
};

const servers: TCountingServer[] = [];
afterEach(async () => {
  closeEgressConnectionPools();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(
  host: string,
  port = 0,
  respond: (request: http.IncomingMessage, response: http.ServerResponse) => void = (_request, response) =>
    response.end('ok'),
): Promise<TCountingServer> {
  const connections: Socket[] = [];
  const state = { hits: 0 };
  const server = http.createServer((request, response) => {
    state.hits += 1;
    request.resume();
    request.on('end', () => respond(request, response));
  });
  server.on('connection', (socket: Socket) => connections.push(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  const counting: TCountingServer = {
    port: bound,
    origin: `http://${host}:${bound}`,
    connections,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
  servers.push(counting);
  return counting;
}

const ONLY_127_0_0_1 = parseEgressAllowList('127.0.0.1');

/** A DNS that answers what the test says now, and counts the questions. */
function scriptedDns(first: string): {
  resolveHost: TResolveHost;
  answer: (address: string) => void;
  asked: () => number;
} {
  let current = first;
  let asked = 0;
  return {
    resolveHost: (hostname) => {
      asked += 1;
      return Promise.resolve(hostname === 'api.example.test' ? [{ address: current, family: 4 }] : []);
    },
    answer: (address) => {
      current = address;
    },
    asked: () => asked,
  };
}

describe('egress connection pool: reuse', () => {
  it('sends a call that queued for a pooled connection (more calls than sockets) with the lease check, not after the server closed it', async () => {
    // Found by the worker-sigterm fault test: Node leaves `reusedSocket` unset for a request
    // that queued for a free socket, and such a call waited for a 'connect' that never came
    // until the server closed the idle connection ("socket hang up", not retried).
    const server = await serve('127.0.0.1', 0, (_request, response) => {
      setTimeout(() => response.end('ok'), 20);
    });
    const pool = egressConnectionPoolFor('tenant-queued');
    let checks = 0;
    const calls = Array.from({ length: 40 }, () =>
      guardedFetch({
        url: `${server.origin}/x`,
        method: 'POST',
        body: '{}',
        allow: ONLY_127_0_0_1,
        pool,
        beforeSend: () => {
          checks += 1;
        },
        timeoutMs: 10_000,
      }).then(
        (response) => response.status,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
    );
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 40 }, () => 200));
    expect(checks).toBe(40);
    // At most the agent's 16 sockets: the other 24 calls went over connections the first ones freed.
    expect(server.connections.length).toBeLessThanOrEqual(16);
  });

  it('sends a tenant’s sequential calls over one connection, and opens one per call without the pool', async () => {
    const server = await serve('127.0.0.1');
    const pool = egressConnectionPoolFor('tenant-a');
    for (let i = 0; i < 3; i++) {
      const response = await guardedFetch({
        url: `${server.origin}/x`,
        method: 'POST',
        body: '{}',
        allow: ONLY_127_0_0_1,
        pool,
      });
      expect(response.status).toBe(200);
    }
    expect(server.hits).toBe(3);
    expect(server.connections).toHaveLength(1);
    for (let i = 0; i < 2; i++) await guardedFetch({ url: `${server.origin}/x`, allow: ONLY_127_0_0_1 });
    expect(server.connections).toHaveLength(3);
  });

  it('never hands one tenant’s connection to another tenant', async () => {
    const server = await serve('127.0.0.1');
    await guardedFetch({ url: server.origin, allow: ONLY_127_0_0_1, pool: egressConnectionPoolFor('tenant-a') });
    await guardedFetch({ url: server.origin, allow: ONLY_127_0_0_1, pool: egressConnectionPoolFor('tenant-b') });
    await guardedFetch({ url: server.origin, allow: ONLY_127_0_0_1, pool: egressConnectionPoolFor('tenant-a') });
    expect(server.hits).toBe(3);
    expect(server.connections).toHaveLength(2);
    expect(egressConnectionPoolFor('tenant-a')).not.toBe(egressConnectionPoolFor('tenant-b'));
  });

  it('asks the lease check again before a request on a reused connection, and sends nothing when it throws', async () => {
    const server = await serve('127.0.0.1');
    const pool = egressConnectionPoolFor('tenant-a');
    let checks = 0;
    await guardedFetch({ url: server.origin, allow: ONLY_127_0_0_1, pool, beforeSend: () => (checks += 1) });
    await guardedFetch({ url: server.origin, allow: ONLY_127_0_0_1, pool, beforeSend: () => (checks += 1) });
    expect(checks).toBe(2);
    const refusal = new Error('lease lost');
    const error = await guardedFetch({
      url: server.origin,
      allow: ONLY_127_0_0_1,
      pool,
      beforeSend: () => {
        throw refusal;
      },
    }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBe(refusal);
    expect(server.hits).toBe(2);
    expect(server.connections).toHaveLength(1);
  });

  it('retries once on a new connection when the server had closed the pooled one', async () => {
    let served = 0;
    const server = await serve('127.0.0.1', 0, (request, response) => {
      served += 1;
      // The second request on the first connection: the server resets it without an answer,
      // as one closing an idle keep-alive connection does when a request arrives in the race.
      if (served === 2) request.socket.resetAndDestroy();
      else response.end('ok');
    });
    const pool = egressConnectionPoolFor('tenant-a');
    await guardedFetch({ url: server.origin, allow: ONLY_127_0_0_1, pool });
    const second = await guardedFetch({ url: server.origin, method: 'POST', body: 'b', allow: ONLY_127_0_0_1, pool });
    expect(second.status).toBe(200);
    expect(server.hits).toBe(3);
    expect(server.connections).toHaveLength(2);
  });
});

describe('egress connection pool: slow answers', () => {
  it('waits for an answer slower than the idle timeout on a pooled connection', async () => {
    const server = await serve('127.0.0.1', 0, (_request, response) => {
      setTimeout(() => response.end('late'), POOLED_SOCKET_IDLE_MS + 500);
    });
    const pool = egressConnectionPoolFor('tenant-a');
    const response = await guardedFetch({ url: server.origin, allow: ONLY_127_0_0_1, pool });
    expect(response.body.toString()).toBe('late');
  }, 15_000);
});

describe('egress connection pool: every request is checked', () => {
  it('resolves and checks the host for every request, also when the connection is reused', async () => {
    const server = await serve('127.0.0.1');
    const dns = scriptedDns('127.0.0.1');
    const pool = egressConnectionPoolFor('tenant-a');
    const url = `http://api.example.test:${server.port}/`;
    for (let i = 0; i < 3; i++) await guardedFetch({ url, allow: ONLY_127_0_0_1, resolveHost: dns.resolveHost, pool });
    expect(dns.asked()).toBe(3);
    expect(server.connections).toHaveLength(1);
    expect(server.hits).toBe(3);
  });

  it('refuses a request whose host now resolves to a refused address, though a pooled connection to the old one is open', async () => {
    const server = await serve('127.0.0.1');
    const other = await serve('127.0.0.2', server.port);
    const dns = scriptedDns('127.0.0.1');
    const pool = egressConnectionPoolFor('tenant-a');
    const url = `http://api.example.test:${server.port}/`;
    await guardedFetch({ url, allow: ONLY_127_0_0_1, resolveHost: dns.resolveHost, pool });
    dns.answer('127.0.0.2'); // DNS rebinding to an address the allow list does not open
    const error = await guardedFetch({ url, allow: ONLY_127_0_0_1, resolveHost: dns.resolveHost, pool }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(GuardedFetchError);
    expect(error).toMatchObject({ code: 'EGRESS_BLOCKED' });
    expect(server.hits).toBe(1);
    expect(other.hits).toBe(0);
  });

  it('follows a DNS change to another allowed address on a new connection, not the pooled one', async () => {
    const server = await serve('127.0.0.1');
    const other = await serve('127.0.0.2', server.port);
    const dns = scriptedDns('127.0.0.1');
    const allow = parseEgressAllowList('127.0.0.1,127.0.0.2');
    const pool = egressConnectionPoolFor('tenant-a');
    const url = `http://api.example.test:${server.port}/`;
    await guardedFetch({ url, allow, resolveHost: dns.resolveHost, pool });
    dns.answer('127.0.0.2');
    await guardedFetch({ url, allow, resolveHost: dns.resolveHost, pool });
    dns.answer('127.0.0.1');
    await guardedFetch({ url, allow, resolveHost: dns.resolveHost, pool });
    expect(server.hits).toBe(2);
    expect(other.hits).toBe(1);
    // The first connection to 127.0.0.1 served both of its requests.
    expect(server.connections).toHaveLength(1);
    expect(other.connections).toHaveLength(1);
  });

  it('refuses an IP literal the allow list no longer opens, with a pooled connection to it idle', async () => {
    const server = await serve('127.0.0.1');
    const pool = egressConnectionPoolFor('tenant-a');
    await guardedFetch({ url: server.origin, allow: ONLY_127_0_0_1, pool });
    const error = await guardedFetch({ url: server.origin, pool }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ code: 'EGRESS_BLOCKED' });
    expect(server.hits).toBe(1);
  });
});
