/**
 * Issue #16 row E, the call inside a durable step: `guardedFetch` to a loopback receiver over a
 * new connection per call (as before) and over a tenant's keep-alive pool (as `http.request`
 * now calls), in alternated batches in one process so a loaded machine weighs on both alike.
 * Prints per call the wall time (p50, p95) and this process's CPU time (client and receiver
 * together), beside the same request made with Node's own keep-alive agent and no guard.
 *   node --conditions=react-server --import tsx bench/egress-keepalive.ts
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseEgressAllowList } from '@/server/security/egress-allowlist';
import { closeEgressConnectionPools, egressConnectionPoolFor } from '@/server/security/egress-connection-pool';
import { guardedFetch } from '@/server/security/guarded-fetch';
import { figureRow, percentiles } from '@/bench/lib/stats';

const CALLS = Number(process.env.BENCH_EGRESS_CALLS ?? 300);
const ROUNDS = 4;

type TMode = 'fresh connection' | 'tenant pool' | 'plain keep-alive, no guard';

async function timeCalls(call: () => Promise<void>): Promise<{ wall: number[]; cpuMs: number }> {
  const wall: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await call();
    wall.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  return { wall, cpuMs: (used.user + used.system) / 1000 };
}

export async function egressKeepAliveBenchmarks(): Promise<Record<TMode, { p50: number; p95: number; cpuMs: number }>> {
  console.log(
    `\nE2. The call of an http.request step: ${ROUNDS} alternated rounds of ${CALLS} POSTs to a loopback receiver`,
  );
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const allow = parseEgressAllowList('127.0.0.1');
  const pool = egressConnectionPoolFor('bench-tenant');
  const plainAgent = new http.Agent({ keepAlive: true });
  const request = { url, method: 'POST', body: '{"i":1}', headers: { 'content-type': 'application/json' }, allow };
  const calls: Record<TMode, () => Promise<void>> = {
    'fresh connection': async () => void (await guardedFetch(request)),
    'tenant pool': async () => void (await guardedFetch({ ...request, pool })),
    'plain keep-alive, no guard': () =>
      new Promise<void>((resolve, reject) => {
        const sent = http.request(url, { method: 'POST', agent: plainAgent }, (response) => {
          response.resume();
          response.on('end', resolve);
        });
        sent.on('error', reject);
        sent.end('{"i":1}');
      }),
  };
  const modes = Object.keys(calls) as TMode[];
  const wall: Record<TMode, number[]> = { 'fresh connection': [], 'tenant pool': [], 'plain keep-alive, no guard': [] };
  const cpu: Record<TMode, number> = { 'fresh connection': 0, 'tenant pool': 0, 'plain keep-alive, no guard': 0 };
  try {
    for (const mode of modes) await timeCalls(calls[mode]); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
        const measured = await timeCalls(calls[mode]);
        wall[mode].push(...measured.wall);
        cpu[mode] += measured.cpuMs;
      }
    }
  } finally {
    plainAgent.destroy();
    closeEgressConnectionPools();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  const results = Object.fromEntries(
    modes.map((mode) => {
      const { p50, p95 } = percentiles(wall[mode]);
      return [mode, { p50, p95, cpuMs: cpu[mode] / (ROUNDS * CALLS) }];
    }),
  ) as Record<TMode, { p50: number; p95: number; cpuMs: number }>;
  for (const mode of modes) {
    const r = results[mode];
    console.log(
      figureRow(
        `${mode}: per call p50 / p95 ms; CPU ms`,
        `${r.p50.toFixed(3)} / ${r.p95.toFixed(3)}; ${r.cpuMs.toFixed(3)}`,
      ),
    );
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  egressKeepAliveBenchmarks().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
