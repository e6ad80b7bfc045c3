/**
 * Issue #16, the cost of running pure-step runs on one worker process, as before and as now
 * (`BENCH_ONLY=purewab` of bench/runtime.ts, or alone): runs of 1 step (what section A of
 * bench/http.ts starts) and of 10 steps (section C) started in-process through `startRun` (the
 * insert POST /runs makes) 16 and 32 at a time while the worker runs them, for two workers
 * alternated on one database:
 *   - "before": the worker of git revision BENCH_PURE_BEFORE (default `main`), over TCP;
 *   - "now": the worker bundled from the sources as they are, connected as npm start connects
 *     it (the embedded server's Unix-domain socket when the bench started one).
 * Per run: CPU ms of the worker and of PostgreSQL (postmaster and every backend, from /proc),
 * which a loaded machine distorts far less than the rates, also printed. Alone with
 * BENCH_PG_STATEMENTS=1 (pg_stat_statements loaded), also the statements that cost PostgreSQL
 * most per run (the bench's own polling included: `SELECT count(*) … FROM runs`). With
 * BENCH_WAL_BREAKDOWN=1, the WAL per run by relation and by record type (pg_walinspect);
 * BENCH_PURE_PAYLOAD_BYTES=<n>, runs whose input carries n more bytes (bench/runtime.ts).
 */
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { figureRow } from '@/bench/lib/stats';
import { startBenchWorker } from '@/bench/lib/worker-process';
import { buildWorker } from '@/scripts/lib/build-worker';
import { bundleWorkerOf, gitRev } from '@/bench/durable-worker';
import { postmasterPidOf, processTreeCpuMs } from '@/bench/lib/process-cpu';
import { runRuntimeSectionWhenMain } from '@/bench/lib/runtime-section-alone';
import { printStatements, resetStatements, unfinishedRuns } from '@/bench/lib/pg-statements';
import { printWalBreakdown, walPosition } from '@/bench/lib/wal-breakdown';

const RUNS = Number(process.env.BENCH_PURE_RUNS ?? 600);
const ROUNDS = Number(process.env.BENCH_PURE_ROUNDS ?? 2);
/** BENCH_PURE_MODES=now (or before): one worker only, e.g. for a profile. */
const MODES = (process.env.BENCH_PURE_MODES ?? 'before,now').split(',') as TMode[];

type TMode = 'before' | 'now';
type TLoad = { workflowKey: string; steps: number; inFlight: number };

export type TPureModeResult = {
  mode: TMode;
  workflowKey: string;
  runsPerSecond: number;
  workerCpuMsPerRun: number;
  databaseCpuMsPerRun: number;
  /** With BENCH_TRACE_GC=1, per run: the worker's scavenges, their pause ms, KB allocated and KB that survived a scavenge. */
  scavengesPerRun: number;
  scavengeMsPerRun: number;
  allocatedKbPerRun: number;
  survivedKbPerRun: number;
};

async function measure({
  db,
  url,
  mode,
  bundle,
  load,
  startMany,
}: {
  db: Db;
  url: string;
  mode: TMode;
  bundle: string;
  load: TLoad;
  startMany: (workflowKey: string, n: number, inFlight: number) => Promise<string[]>;
}): Promise<TPureModeResult> {
  const workerUrl = mode === 'now' ? process.env.BENCH_DATABASE_SOCKET_URL || url : url;
  const worker = await startBenchWorker(workerUrl, {}, { bundle });
  try {
    // Warm-up: JIT, connections, prepared statements, the version cache.
    const warm = await startMany(load.workflowKey, 40, load.inFlight);
    while ((await unfinishedRuns(db, warm)) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const postmaster = postmasterPidOf(
      (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0]!.pid,
    );
    const cpu = () => ({
      worker: processTreeCpuMs(worker.pid),
      database: postmaster ? processTreeCpuMs(postmaster) : Number.NaN,
    });
    const statements = await resetStatements(db);
    const walFrom = await walPosition(db);
    const before = cpu();
    const gcBefore = worker.gc();
    const t0 = performance.now();
    const ids = await startMany(load.workflowKey, RUNS, load.inFlight);
    while ((await unfinishedRuns(db, ids)) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const elapsed = performance.now() - t0;
    const after = cpu();
    const gcAfter = worker.gc();
    const label = `${mode} ${load.steps}-step runs`;
    if (process.env.BENCH_WAL_BREAKDOWN)
      await printWalBreakdown(db, { from: walFrom, to: await walPosition(db), per: RUNS, unit: 'run', label });
    if (statements) await printStatements(db, { runs: RUNS, label });
    const failed = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM runs WHERE id = ANY(${ids}::uuid[]) AND status <> 'SUCCEEDED'`.execute(db);
    if (failed.rows[0]!.n > 0) throw new Error(`bench pure (${mode}): ${failed.rows[0]!.n} runs did not succeed`);
    return {
      mode,
      workflowKey: load.workflowKey,
      runsPerSecond: (RUNS / elapsed) * 1000,
      workerCpuMsPerRun: (after.worker - before.worker) / RUNS,
      databaseCpuMsPerRun: (after.database - before.database) / RUNS,
      scavengesPerRun: (gcAfter.scavenges - gcBefore.scavenges) / RUNS,
      scavengeMsPerRun: (gcAfter.scavengeMs - gcBefore.scavengeMs) / RUNS,
      allocatedKbPerRun: (gcAfter.allocatedBytes - gcBefore.allocatedBytes) / 1024 / RUNS,
      survivedKbPerRun: (gcAfter.survivedBytes - gcBefore.survivedBytes) / 1024 / RUNS,
    };
  } finally {
    await worker.stop();
  }
}

export async function pureWorkerBenchmarks({
  db,
  url,
  startMany,
}: {
  db: Db;
  url: string;
  startMany: (workflowKey: string, n: number, inFlight: number) => Promise<string[]>;
}): Promise<TPureModeResult[]> {
  const loads: TLoad[] = [
    { workflowKey: 'bench-one', steps: 1, inFlight: 16 },
    { workflowKey: 'bench-ten', steps: 10, inFlight: 32 },
  ];
  console.log(
    `\n7c. Pure-step runs on one worker process, ${RUNS} runs per load started in-process while it runs them (1 step, 16 in flight; 10 steps, 32 in flight), "before" and "now" alternated`,
  );
  const beforeRev = process.env.BENCH_PURE_BEFORE ?? 'main';
  const bundles: Record<TMode, string> = {
    before: await bundleWorkerOf(beforeRev),
    now: await buildWorker(process.cwd(), path.resolve('.next', 'bench-worker-now', 'main.mjs')),
  };
  console.log(
    `  before: the worker of ${beforeRev} (${gitRev(beforeRev)}) over TCP; now: the sources as they are, over ${process.env.BENCH_DATABASE_SOCKET_URL ? 'the Unix-domain socket' : 'TCP'}`,
  );
  const results: TPureModeResult[] = [];
  for (let round = 0; round < ROUNDS; round++)
    for (const load of loads)
      for (const mode of MODES) {
        const r = await measure({ db, url, mode, bundle: bundles[mode], load, startMany });
        results.push(r);
        console.log(
          figureRow(
            `${mode.padEnd(6)} ${load.steps}-step runs: runs/s; CPU ms per run worker / PostgreSQL`,
            `${r.runsPerSecond.toFixed(0)}; ${r.workerCpuMsPerRun.toFixed(2)} / ${r.databaseCpuMsPerRun.toFixed(2)}`,
          ),
        );
        if (process.env.BENCH_TRACE_GC)
          console.log(
            figureRow(
              `${mode.padEnd(6)} ${load.steps}-step runs, worker per run: scavenges; pause ms; KB allocated; KB survived`,
              `${r.scavengesPerRun.toFixed(3)}; ${r.scavengeMsPerRun.toFixed(3)}; ${r.allocatedKbPerRun.toFixed(0)}; ${r.survivedKbPerRun.toFixed(1)}`,
            ),
          );
      }
  return results;
}

/** Alone: `node --conditions=react-server --import tsx bench/pure-worker.ts` (its own embedded PostgreSQL). */
runRuntimeSectionWhenMain(import.meta.url, 'purewab');
