/**
 * Issue #16, durable step overhead without the web process (`BENCH_ONLY=durable`, part of
 * bench/runtime.ts, or alone): runs of 40 sequential `http.request` steps to a loopback
 * receiver, one at a time on one worker process, measured for two workers against the same
 * database and alternated (before, now, before, now) so a loaded machine weighs on both alike:
 *   - "before": the worker of git revision BENCH_DURABLE_BEFORE (default `main`), bundled from
 *     `git archive` of it;
 *   - "now": the worker bundled from the sources as they are.
 * Both on the newest schema (`runs` at fillfactor 70 since migration 20261226000000: main has it,
 * so "before" no longer gets the fillfactor 100 of the code before that migration).
 * Per durable step: wall time (split into step.started → step.succeeded, which holds the commit
 * before the call and the call, and succeeded → next started), statements the worker sent
 * (BENCH_QUERY_COUNT's preload: each is one round trip), database commits, the share of `runs`
 * updates that were HOT, WAL bytes. The newest schema serves both, so an old worker must run on it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { startRun } from '@/server/runtime/start-run';
import { publishWorkflow } from '@/test/runtime';
import { figureRow, percentiles } from '@/bench/lib/stats';
import { hasPgbench, pgbenchTps, preparePgbench } from '@/bench/baselines';
import { startBenchWorker } from '@/bench/lib/worker-process';
import { buildWorker } from '@/scripts/lib/build-worker';
import { runRuntimeSectionWhenMain } from '@/bench/lib/runtime-section-alone';
import { postmasterPidOf, processTreeCpuMs } from '@/bench/lib/process-cpu';
import { printWalBreakdown, printWalByStepIndex, walPosition } from '@/bench/lib/wal-breakdown';
import { printStatements, resetStatements } from '@/bench/lib/pg-statements';
import { prefillStepHistory } from '@/bench/lib/history-prefill';
import { createTenantWithMember } from '@/test/fixtures';

/** Steps per run: 40 as issue #16's row; BENCH_DURABLE_STEPS=200 shows whether a step costs more in a longer run. */
const STEPS = Number(process.env.BENCH_DURABLE_STEPS ?? 40);
const RUNS = Number(process.env.BENCH_DURABLE_RUNS ?? 10);
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

type TMode = 'before' | 'now';
/** BENCH_DURABLE_ORDER=now (one worker, e.g. for a profile) or a longer alternation (before,now,before,now,before,now). */
const ORDER = (process.env.BENCH_DURABLE_ORDER ?? 'before,now,before,now').split(',') as TMode[];

export type TDurableModeResult = {
  mode: TMode;
  msPerStep: number;
  statementsPerStep: number;
  commitsPerStep: number;
  hotShareOfRunsUpdates: number;
  walBytesPerStep: number;
  /** step.started → step.succeeded (its commit before the call, and the call), and succeeded → next started. */
  inStepMs: number;
  betweenStepsMs: number;
  /** CPU ms per step of the worker process and of PostgreSQL (postmaster and backends; NaN when not on this machine). */
  workerCpuMsPerStep: number;
  databaseCpuMsPerStep: number;
};

async function startReceiver(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Bundles the worker of git revision `rev` (its files from `git archive`, our node_modules). */
export async function bundleWorkerOf(rev: string): Promise<string> {
  const root = mkdtempSync(path.join(tmpdir(), 'pipewright-bench-worker-src-'));
  execFileSync('sh', ['-c', `git archive --format=tar ${JSON.stringify(rev)} | tar -x -C ${JSON.stringify(root)}`]);
  symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'));
  // The worker migrates at start and refuses a database with migrations it does not know: it
  // gets ours (frozen and additive), so it is the old code on the newest schema.
  cpSync(path.resolve('migrations'), path.join(root, 'migrations'), { recursive: true });
  // Inside our tree, so the bundle's package imports resolve to our node_modules.
  const out = path.resolve('.next', 'bench-worker-before', 'main.mjs');
  mkdirSync(path.dirname(out), { recursive: true });
  await buildWorker(root, out);
  rmSync(root, { recursive: true, force: true });
  return out;
}

type TCounters = { commits: number; updates: number; hot: number; wal: bigint };

async function counters(db: Db): Promise<TCounters> {
  const row = await sql<{ commits: string; updates: string; hot: string; wal: string }>`
    SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())::text AS commits,
           (SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'runs' AND schemaname = 'public')::text AS updates,
           (SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'runs' AND schemaname = 'public')::text AS hot,
           (pg_current_wal_lsn() - '0/0')::text AS wal`.execute(db);
  const r = row.rows[0]!;
  return {
    commits: Number(r.commits),
    updates: Number(r.updates),
    hot: Number(r.hot),
    wal: BigInt(r.wal.split('.')[0]!),
  };
}

async function measureMode({
  db,
  ctx,
  url,
  mode,
  follow,
  bundle,
}: {
  db: Db;
  ctx: TAuthContext;
  url: string;
  mode: TMode;
  follow: { until: (runId: string, statuses: ReadonlySet<string>) => Promise<number> };
  bundle: string;
}): Promise<TDurableModeResult> {
  const countDir = mkdtempSync(path.join(tmpdir(), 'pipewright-bench-durable-count-'));
  const preload = pathToFileURL(path.resolve('bench/lib/query-count-preload.mjs')).href;
  // As npm start runs each: before over TCP, now over the embedded server's Unix-domain socket
  // when the bench started one (BENCH_DATABASE_SOCKET_URL, set by runtime-section-alone).
  const workerUrl = mode === 'now' ? process.env.BENCH_DATABASE_SOCKET_URL || url : url;
  const worker = await startBenchWorker(
    workerUrl,
    { PIPEWRIGHT_EGRESS_ALLOW: '127.0.0.1', BENCH_QUERY_COUNT: countDir, NODE_OPTIONS: `--import ${preload}` },
    { bundle },
  );
  try {
    // Warm-up: the first runs compile, connect and (as now) prepare.
    for (let i = 0; i < 2; i++) {
      const { runId } = await startRun({
        tenantId: ctx.tenantId,
        workflowKey: 'bench-durable',
        input: {},
        trigger: { type: 'api' },
      });
      await follow.until(runId, TERMINAL);
    }
    await new Promise((resolve) => setTimeout(resolve, 600)); // backends flush their statistics
    process.kill(worker.pid, 'SIGUSR2'); // the preload starts a new count here
    // BENCH_DURABLE_CHECKPOINT=1: each window starts right after a checkpoint, as a server's
    // windows do every checkpoint_timeout: the first change of each page writes its full image.
    if (process.env.BENCH_DURABLE_CHECKPOINT) await sql`CHECKPOINT`.execute(db);
    const before = await counters(db);
    const walFrom = await walPosition(db);
    const statementsKept = await resetStatements(db);
    const postmaster = postmasterPidOf(
      (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0]!.pid,
    );
    const cpuBefore = {
      worker: processTreeCpuMs(worker.pid),
      database: postmaster ? processTreeCpuMs(postmaster) : NaN,
    };
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { runId } = await startRun({
        tenantId: ctx.tenantId,
        workflowKey: 'bench-durable',
        input: {},
        trigger: { type: 'api' },
      });
      await follow.until(runId, TERMINAL);
      ids.push(runId);
    }
    const cpuAfter = {
      worker: processTreeCpuMs(worker.pid),
      database: postmaster ? processTreeCpuMs(postmaster) : NaN,
    };
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const after = await counters(db);
    if (process.env.BENCH_WAL_BREAKDOWN)
      await printWalBreakdown(db, { from: walFrom, to: await walPosition(db), per: RUNS * STEPS, label: mode });
    if (process.env.BENCH_WAL_BY_INDEX)
      await printWalByStepIndex(db, { from: walFrom, to: await walPosition(db), runIds: ids, label: mode });
    if (statementsKept) await printStatements(db, { runs: RUNS * STEPS, label: mode, limit: 5, unit: 'step' });
    const rows = await db
      .selectFrom('runs')
      .select(['status', 'started_at', 'completed_at'])
      .where('id', 'in', ids)
      .execute();
    if (rows.some((r) => r.status !== 'SUCCEEDED')) throw new Error(`bench durable (${mode}): a run did not succeed`);
    // What every commit of a run rewrote at its end: the HOT update writes the row whole.
    const kept = await sql<{ bytes: number }>`
      SELECT avg(pg_column_size(execution))::float8 AS bytes FROM runs WHERE id = ANY(${ids}::uuid[])`.execute(db);
    console.log(`  ${mode}: runs.execution at a run's end, ${kept.rows[0]!.bytes.toFixed(0)} bytes stored`);
    // Every run's own share: its claim happens before started_at, so it is left out of run time.
    const perStep = percentiles(rows.map((r) => (r.completed_at!.getTime() - r.started_at!.getTime()) / STEPS));
    await worker.stop();
    // The preload wrote the window's counts at exit (and the warm-up's at SIGUSR2, with a suffix).
    const windowFiles = readdirSync(countDir).filter((f) => !/-\d{13}\.json$/.test(f));
    const statements = windowFiles.reduce((sum, file) => sum + countOf(path.join(countDir, file)), 0);
    const spans = await sql<{ in_step: number; between: number }>`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.at - b.at) * 1000) FILTER (WHERE b.type = 'step.started' AND s.type = 'step.succeeded') AS in_step,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.at - b.at) * 1000) FILTER (WHERE b.type = 'step.succeeded' AND s.type = 'step.started') AS between
        FROM run_events b JOIN run_events s ON s.run_id = b.run_id AND s.seq = b.seq + 1
       WHERE b.run_id = ANY(${ids}::uuid[])`.execute(db);
    const steps = RUNS * STEPS;
    const updates = after.updates - before.updates;
    return {
      mode,
      msPerStep: perStep.p50,
      statementsPerStep: statements / steps,
      commitsPerStep: (after.commits - before.commits) / steps,
      hotShareOfRunsUpdates: updates ? (after.hot - before.hot) / updates : 0,
      walBytesPerStep: Number(after.wal - before.wal) / steps,
      inStepMs: Number(spans.rows[0]?.in_step ?? Number.NaN),
      betweenStepsMs: Number(spans.rows[0]?.between ?? Number.NaN),
      workerCpuMsPerStep: (cpuAfter.worker - cpuBefore.worker) / steps,
      databaseCpuMsPerStep: (cpuAfter.database - cpuBefore.database) / steps,
    };
  } finally {
    await worker.stop();
    rmSync(countDir, { recursive: true, force: true });
  }
}

/** Statements in one count file of the query-count preload (the LISTEN client's and pg-boss's upkeep included). */
function countOf(file: string): number {
  const counts = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export const gitRev = (rev: string): string =>
  existsSync('.git') ? execFileSync('git', ['rev-parse', '--short', rev], { encoding: 'utf8' }).trim() : rev;

export async function durableWorkerBenchmarks({
  db,
  ctx,
  url,
  follow,
}: {
  db: Db;
  ctx: TAuthContext;
  url: string;
  follow: { until: (runId: string, statuses: ReadonlySet<string>) => Promise<number> };
}): Promise<TDurableModeResult[]> {
  console.log(
    `\n7b. Durable steps on one worker process: ${RUNS} runs of ${STEPS} sequential http.request steps to a loopback receiver, one at a time, "as before" and "as now" alternated`,
  );
  const receiver = await startReceiver();
  try {
    const steps = Array.from({ length: STEPS }, (_, i) => ({
      id: `call${i}`,
      type: 'action.call',
      config: { action: 'http.request', version: 1, input: { method: 'POST', url: receiver.url, body: { i } } },
    }));
    await publishWorkflow({ db, ctx, key: 'bench-durable', document: { steps } });
    const history = Number(process.env.BENCH_DURABLE_HISTORY ?? 0);
    if (history) {
      // Another tenant's: the measured runs' own per-tenant index entries stay where they were.
      const { tenantId } = await createTenantWithMember({ db, role: 'editor' });
      await prefillStepHistory(db, { tenantId, records: history });
      console.log(`  with ${history} step records (and snapshots) of earlier runs in the history tables`);
    }
    const beforeRev = process.env.BENCH_DURABLE_BEFORE ?? 'main';
    const bundles: Record<TMode, string> = {
      before: ORDER.includes('before') ? await bundleWorkerOf(beforeRev) : '',
      now: await buildWorker(process.cwd(), path.resolve('.next', 'bench-worker-now', 'main.mjs')),
    };
    console.log(
      `  before: the worker of ${beforeRev} (${gitRev(beforeRev)}) over TCP; now: the sources as they are, over ${process.env.BENCH_DATABASE_SOCKET_URL ? 'the Unix-domain socket (as npm start now connects)' : 'TCP'}`,
    );
    const results: TDurableModeResult[] = [];
    for (const mode of ORDER) {
      results.push(await measureMode({ db, ctx, url, mode, follow, bundle: bundles[mode] }));
    }
    if (hasPgbench()) {
      await preparePgbench(url);
      console.log(
        figureRow('baseline: pgbench -N, 1 client, per commit', `${(1000 / pgbenchTps(url, 1)).toFixed(2)} ms`),
      );
    }
    for (const r of results) {
      console.log(
        figureRow(
          `${r.mode.padEnd(6)} per step: ms (in step + between) / statements / commits / WAL bytes; HOT share; CPU ms worker / PostgreSQL`,
          `${r.msPerStep.toFixed(2)} (${r.inStepMs.toFixed(2)} + ${r.betweenStepsMs.toFixed(2)}) / ${r.statementsPerStep.toFixed(2)} / ${r.commitsPerStep.toFixed(2)} / ${r.walBytesPerStep.toFixed(0)}; ${(r.hotShareOfRunsUpdates * 100).toFixed(0)}%; ${r.workerCpuMsPerStep.toFixed(2)} / ${r.databaseCpuMsPerStep.toFixed(2)}`,
        ),
      );
    }
    return results;
  } finally {
    await receiver.close();
  }
}

/** Alone: `node --conditions=react-server --import tsx bench/durable-worker.ts` (its own embedded PostgreSQL). */
runRuntimeSectionWhenMain(import.meta.url, 'durable');
