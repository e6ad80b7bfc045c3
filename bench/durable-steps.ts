/**
 * Issue #16, durable steps: a run of 40 sequential `http.request` steps to a loopback server,
 * started over the API of the running app; (run time)/40 beside what the call alone costs
 * (the same 40 requests sent one after another from this process) and beside one commit of
 * `pgbench -N` with one client, all in the same run. Part of bench/http.ts (section `durable`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '@/server/db/database';
import type { BenchClient } from '@/bench/lib/http-load';
import { publishOverHttp } from '@/bench/lib/http-load';
import { followRuns } from '@/bench/lib/follow-runs';
import { figureRow, latencyRow, percentiles } from '@/bench/lib/stats';
import { printStatements, resetStatements } from '@/bench/lib/pg-statements';
import { hasPgbench, pgbenchTps, preparePgbench } from '@/bench/baselines';

const STEPS = 40;
const RUNS = 12;
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

/** A receiver like the ones steps call: a small JSON answer at once. */
async function startReceiver(): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server = http.createServer((req, res) => {
    calls++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    calls: () => calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One call as a step makes it (node:http, a new connection each, as guardedFetch does), from this process. */
function callOnce(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end('{"i":1}');
  });
}

export type TDurableResults = {
  msPerStep: number;
  msPerStepBeyondCall: number;
  callP50Ms: number;
  commitMs: number | null;
  runs: number;
};

export async function durableStepBenchmarks({
  db,
  client,
  dbUrl,
}: {
  db: Db;
  client: BenchClient;
  dbUrl: string;
}): Promise<TDurableResults> {
  console.log(
    `\nE. Durable steps: a run of ${STEPS} sequential http.request steps to a loopback server, ${RUNS} runs one at a time`,
  );
  const receiver = await startReceiver();
  try {
    const steps = Array.from({ length: STEPS }, (_, i) => ({
      id: `call${i}`,
      type: 'action.call',
      config: { action: 'http.request', version: 1, input: { method: 'POST', url: receiver.url, body: { i } } },
    }));
    await publishOverHttp(client, 'bench-durable', { steps });
    const runs = await followRuns(dbUrl);
    const ids: string[] = [];
    let stats = false;
    for (let i = 0; i < RUNS + 2; i++) {
      const res = await client.request('POST', '/api/v1/workflows/bench-durable/runs', { input: {} });
      if (res.status !== 202) throw new Error(`bench-durable start: ${res.status} ${res.text}`);
      const runId = (res.body as { runId: string }).runId;
      await runs.until(runId, TERMINAL);
      if (i >= 2) ids.push(runId); // warm-up: the first runs compile and connect
      if (i === 1) stats = await resetStatements(db);
    }
    if (stats) await printStatements(db, { runs: RUNS * STEPS, label: 'durable', limit: 12, unit: 'step' });
    await runs.close();
    const rows = await db
      .selectFrom('runs')
      .select(['status', 'started_at', 'completed_at'])
      .where('id', 'in', ids)
      .execute();
    const bad = rows.filter((r) => r.status !== 'SUCCEEDED');
    if (bad.length) throw new Error(`bench-durable: ${bad.length} runs did not succeed`);
    const perStep = percentiles(rows.map((r) => (r.completed_at!.getTime() - r.started_at!.getTime()) / STEPS));

    const callSamples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      await callOnce(receiver.url);
      if (i >= 20) callSamples.push(performance.now() - t0);
    }
    const call = percentiles(callSamples);
    let commitMs: number | null = null;
    if (hasPgbench()) {
      await preparePgbench(dbUrl);
      commitMs = 1000 / pgbenchTps(dbUrl, 1);
      console.log(figureRow('baseline: pgbench -N, 1 client, per commit', `${commitMs.toFixed(2)} ms`));
    }
    console.log(latencyRow('baseline: the same call from the bench process', call));
    console.log(latencyRow('run time / 40 steps', perStep));
    const beyond = perStep.p50 - call.p50;
    console.log(figureRow('per step beyond the call (p50 − call p50)', `${beyond.toFixed(2)} ms`, '≤ 1.5 ms'));
    return { msPerStep: perStep.p50, msPerStepBeyondCall: beyond, callP50Ms: call.p50, commitMs, runs: rows.length };
  } finally {
    await receiver.close();
  }
}
