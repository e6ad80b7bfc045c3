import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { RUN_EVENTS_CHANNEL } from '@/server/runtime/interpreter/run-writer';
import { RUN_CONTROL_CHANNEL, RunControlListener } from '@/server/runtime/run-control-listener';
import { RunEventListener, type TRunNotice } from '@/server/runs/run-event-listener';
import { until } from '@/test/faults/fault-harness';
import { createTestDatabase, type TTestDatabase } from '@/test/database';

/**
 * A TCP proxy in front of the test database that can go away and come back on the same port,
 * as a restarting database does for its clients, without restarting the shared cluster.
 */
type TProxy = { url: string; cut: () => Promise<void>; restore: () => Promise<void>; close: () => Promise<void> };

async function startProxy(targetUrl: string): Promise<TProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // Either side going away ends the pair; the other side's error then is expected.
      s.on('error', () => (s === socket ? upstream : socket).destroy());
    }
    socket.pipe(upstream).pipe(socket);
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const url = new URL(targetUrl);
  url.host = `127.0.0.1:${port}`;
  const cut = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    url: url.toString(),
    cut,
    restore: () => listen(port),
    close: async () => (server.listening ? cut() : undefined),
  };
}

let t: TTestDatabase;
let proxy: TProxy;
beforeAll(async () => {
  t = await createTestDatabase('listen_reconnect');
});
afterAll(async () => t.close());
afterEach(async () => proxy?.close());

it('the run event listener reconnects with backoff while the database is away, then tells subscribers to resync', async () => {
  proxy = await startProxy(t.url);
  const logged: string[] = [];
  const listener = new RunEventListener(proxy.url, (line) => logged.push(line));
  const runId = randomUUID();
  const notices: TRunNotice[] = [];
  try {
    await listener.subscribe(runId, (notice) => notices.push(notice));
    await proxy.cut();
    await until(
      'two failed reconnects',
      () => logged.filter((line) => line.startsWith('reconnect failed')).length >= 2,
      { timeoutMs: 10_000 },
    );
    await proxy.restore();
    await until('a resync', () => notices.some((notice) => notice.kind === 'resync'), { timeoutMs: 10_000 });
    expect(logged.filter((line) => line.startsWith('reconnecting in'))).toEqual([
      'reconnecting in 1 s',
      'reconnecting in 2 s',
      'reconnecting in 4 s',
    ]);
    // LISTEN is on again: a commit's notice reaches the subscriber.
    await sql`SELECT pg_notify(${RUN_EVENTS_CHANNEL}, ${`${runId}:7:RUNNING`})`.execute(t.db);
    await until(
      'the notice after the reconnect',
      () => notices.some((notice) => notice.kind === 'event' && notice.seq === 7),
      { timeoutMs: 5_000 },
    );
  } finally {
    await listener.close();
  }
}, 30_000);

it('the run control listener reconnects with backoff while the database is away, then resyncs the leases', async () => {
  proxy = await startProxy(t.url);
  const logged: string[] = [];
  const heard: string[] = [];
  let resyncs = 0;
  const listener = new RunControlListener(proxy.url, {
    onRun: (runId) => heard.push(runId),
    onResync: () => resyncs++,
    log: (line) => logged.push(line),
  });
  try {
    await listener.start();
    await proxy.cut();
    await until('two failed reconnects', () => logged.filter((line) => line.includes('reconnect failed')).length >= 2, {
      timeoutMs: 10_000,
    });
    await proxy.restore();
    await until('a resync', () => resyncs === 1, { timeoutMs: 10_000 });
    expect(logged.map((line) => /in (\d+) s$/.exec(line)?.[1]).filter(Boolean)).toEqual(['1', '2', '4']);
    const runId = randomUUID();
    await sql`SELECT pg_notify(${RUN_CONTROL_CHANNEL}, ${runId})`.execute(t.db);
    await until('the control notice after the reconnect', () => heard.includes(runId), { timeoutMs: 5_000 });
  } finally {
    await listener.close();
  }
}, 30_000);
