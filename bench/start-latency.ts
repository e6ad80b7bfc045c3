/**
 * Issue #16, start → first step latency without the HTTP server (`BENCH_ONLY=startab`, part of
 * bench/runtime.ts, or alone): runs of one `transform.assign` step started with `startRun` one
 * at a time, on one idle worker process, "as before" and "as now" alternated (before, now,
 * before, now) so a loaded machine weighs on both alike:
 *   - "before": the worker of git revision BENCH_START_BEFORE (default `main`), bundled from
 *     `git archive` of it, and starts written without prepared statements
 *     (PIPEWRIGHT_PREPARED_STATEMENTS=off in this process, where only the start's insert is named);
 *   - "now": the worker bundled from the sources as they are, starts with prepared statements.
 * Beside them, measured in the same run on the same PostgreSQL: a bare commit (one-row INSERT),
 * a bare NOTIFY → LISTEN round trip, and raw pg-boss send → handler.
 * Per start: the startRun call, start → first step.started (both clocks are this machine's),
 * and the database's view of the job: start → job written, job written → taken by the worker;
 * and a few starts each made after a quiet spell longer than pg's pool idle timeout, where
 * "before" lets the pool close its idle connections and "now" keeps KEEP_WARM_CONNECTIONS.
 */
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { KEEP_WARM_CONNECTIONS, createDb, getDb, setDb, type Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { startRun } from '@/server/runtime/start-run';
import { publishWorkflow } from '@/test/runtime';
import { latencyRow, percentiles, type TStats } from '@/bench/lib/stats';
import { bossLatency } from '@/bench/baselines';
import { startBenchWorker } from '@/bench/lib/worker-process';
import { bundleWorkerOf, gitRev } from '@/bench/durable-worker';
import { buildWorker } from '@/scripts/lib/build-worker';
import { runRuntimeSectionWhenMain } from '@/bench/lib/runtime-section-alone';

const RUNS = Number(process.env.BENCH_START_RUNS ?? 150);
/** Starts made after a quiet spell longer than pg's pool idle timeout (10 s), per mode and round. */
const IDLE_RUNS = Number(process.env.BENCH_START_IDLE_RUNS ?? 3);
const IDLE_MS = 10_500;
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

type TMode = 'before' | 'now';

export type TStartModeResult = {
  mode: TMode;
  call: TStats;
  toFirstStep: TStats;
  toJob: TStats;
  inQueue: TStats;
  jobToFirstStep: TStats;
  /** Start → first step.started of a start made after IDLE_MS of nothing. */
  afterIdle: TStats;
};

/** A bare autocommit one-row INSERT, the floor of any start's write. */
async function commitLatency(url: string, n: number): Promise<TStats> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TEMP TABLE bench_commit (id serial, at timestamptz DEFAULT now())');
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await client.query('INSERT INTO bench_commit DEFAULT VALUES');
      samples.push(performance.now() - t0);
    }
    return percentiles(samples);
  } finally {
    await client.end();
  }
}

/** NOTIFY sent on one connection → heard on another's LISTEN: the floor of the direct wake-up. */
async function notifyLatency(url: string, n: number): Promise<TStats> {
  const listener = new pg.Client({ connectionString: url });
  const sender = new pg.Client({ connectionString: url });
  await Promise.all([listener.connect(), sender.connect()]);
  try {
    await listener.query('LISTEN bench_notify');
    let heard: (() => void) | null = null;
    listener.on('notification', () => heard?.());
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const done = new Promise<void>((resolve) => (heard = resolve));
      const t0 = performance.now();
      await sender.query(`NOTIFY bench_notify, '${i}'`);
      await done;
      samples.push(performance.now() - t0);
    }
    return percentiles(samples);
  } finally {
    await Promise.all([listener.end(), sender.end()]);
  }
}

async function measureMode({
  db,
  ctx,
  url,
  mode,
  follow,
  bundle,
  web,
}: {
  db: Db;
  ctx: TAuthContext;
  url: string;
  mode: TMode;
  follow: { until: (runId: string, statuses: ReadonlySet<string>) => Promise<number> };
  bundle: string;
  /** The pool startRun writes through here (getDb()), as the web process's. */
  web: { options: { min?: number } };
}): Promise<TStartModeResult> {
  const prepared = process.env.PIPEWRIGHT_PREPARED_STATEMENTS;
  if (mode === 'before') process.env.PIPEWRIGHT_PREPARED_STATEMENTS = 'off';
  else delete process.env.PIPEWRIGHT_PREPARED_STATEMENTS;
  // pg-pool reads `min` when a connection has been idle for its timeout: as before (0) or as getDb() now.
  web.options.min = mode === 'before' ? 0 : KEEP_WARM_CONNECTIONS;
  const worker = await startBenchWorker(url, {}, { bundle });
  try {
    const start = async (i: number) =>
      (await startRun({ tenantId: ctx.tenantId, workflowKey: 'bench-start', input: { i }, trigger: { type: 'api' } }))
        .runId;
    const t0s = new Map<string, number>();
    const calls: number[] = [];
    // 20 warm-up starts: JIT, connection pools, the version cache, prepared statements.
    for (let i = 0; i < RUNS + 20; i++) {
      const t0 = Date.now();
      const runId = await start(i);
      const call = Date.now() - t0;
      await follow.until(runId, TERMINAL);
      if (i < 20) continue;
      t0s.set(runId, t0);
      calls.push(call);
    }
    const idle = new Map<string, number>();
    for (let i = 0; i < IDLE_RUNS; i++) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      const t0 = Date.now();
      const runId = await start(i);
      await follow.until(runId, TERMINAL);
      idle.set(runId, t0);
    }
    const ids = [...t0s.keys()];
    const started = await db
      .selectFrom('run_events')
      .select(['run_id', 'at'])
      .where('run_id', 'in', ids)
      .where('type', '=', 'step.started')
      .execute();
    const stepAt = new Map(started.map((event) => [event.run_id, event.at.getTime()]));
    const idleStarted = await db
      .selectFrom('run_events')
      .select(['run_id', 'at'])
      .where('run_id', 'in', [...idle.keys()])
      .where('type', '=', 'step.started')
      .execute();
    const jobs = await sql<{ run_id: string; created_on: Date; started_on: Date | null }>`
      SELECT DISTINCT ON (data->>'runId') data->>'runId' AS run_id, created_on, started_on FROM pgboss.job
       WHERE name = 'pipewright-run-advance' AND data->>'runId' = ANY(${ids}::text[])
       ORDER BY data->>'runId', created_on`.execute(db);
    const toJob: number[] = [];
    const inQueue: number[] = [];
    const jobToStep: number[] = [];
    for (const job of jobs.rows) {
      const at = stepAt.get(job.run_id);
      if (!job.started_on || at === undefined) continue;
      toJob.push(job.created_on.getTime() - t0s.get(job.run_id)!);
      inQueue.push(job.started_on.getTime() - job.created_on.getTime());
      jobToStep.push(at - job.started_on.getTime());
    }
    return {
      mode,
      call: percentiles(calls),
      toFirstStep: percentiles(started.map((event) => event.at.getTime() - t0s.get(event.run_id)!)),
      toJob: percentiles(toJob),
      inQueue: percentiles(inQueue),
      jobToFirstStep: percentiles(jobToStep),
      afterIdle: percentiles(idleStarted.map((event) => event.at.getTime() - idle.get(event.run_id)!)),
    };
  } finally {
    await worker.stop();
    if (prepared === undefined) delete process.env.PIPEWRIGHT_PREPARED_STATEMENTS;
    else process.env.PIPEWRIGHT_PREPARED_STATEMENTS = prepared;
  }
}

/** Section 3b: start → first step, as before and as now, alternated, beside the bare floors. */
export async function startLatencyBenchmarks({
  db,
  ctx,
  url,
  follow,
}: {
  db: Db;
  ctx: TAuthContext;
  url: string;
  follow: { until: (runId: string, statuses: ReadonlySet<string>) => Promise<number> };
}): Promise<{ baselines: Record<string, TStats>; modes: TStartModeResult[] }> {
  console.log(
    `\n3b. Start → first step.started on one idle worker process, ${RUNS} one-step runs one at a time, "as before" and "as now" alternated`,
  );
  await publishWorkflow({
    db,
    ctx,
    key: 'bench-start',
    document: { steps: [{ id: 'only', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
  });
  const beforeRev = process.env.BENCH_START_BEFORE ?? 'main';
  const bundles: Record<TMode, string> = {
    before: await bundleWorkerOf(beforeRev),
    now: await buildWorker(process.cwd(), path.resolve('.next', 'bench-worker-now', 'main.mjs')),
  };
  console.log(`  before: the worker of ${beforeRev} (${gitRev(beforeRev)}); now: the sources as they are`);
  const modes: TStartModeResult[] = [];
  // startRun writes through a pool of this section's own, whose idle behaviour each mode sets.
  const outer = getDb();
  const web = createDb(url, { max: 4 });
  setDb(web.db);
  try {
    for (const mode of ['before', 'now', 'before', 'now'] as const) {
      modes.push(await measureMode({ db, ctx, url, mode, follow, bundle: bundles[mode], web: web.pool }));
    }
  } finally {
    setDb(outer);
    await web.db.destroy();
  }
  const baselines = {
    commit: await commitLatency(url, RUNS),
    notify: await notifyLatency(url, RUNS),
    boss: await bossLatency(url, RUNS),
  };
  console.log(latencyRow('baseline: one-row INSERT, autocommit', baselines.commit));
  console.log(latencyRow('baseline: NOTIFY → heard on a LISTEN connection', baselines.notify));
  console.log(latencyRow('baseline: raw pg-boss send → handler', baselines.boss));
  for (const r of modes) {
    console.log(latencyRow(`${r.mode.padEnd(6)} startRun call (run + event + job)`, r.call));
    console.log(latencyRow(`${r.mode.padEnd(6)} startRun → first step.started`, r.toFirstStep, 'p50 ≤ 6, p99 ≤ 25'));
    console.log(latencyRow(`${r.mode.padEnd(6)}   of which start → job written`, r.toJob));
    console.log(latencyRow(`${r.mode.padEnd(6)}   job written → taken by the worker`, r.inQueue));
    console.log(latencyRow(`${r.mode.padEnd(6)}   job taken → step.started`, r.jobToFirstStep));
    console.log(latencyRow(`${r.mode.padEnd(6)} after ${IDLE_MS / 1000} s idle: start → step.started`, r.afterIdle));
  }
  return { baselines, modes };
}

/** Alone: `node --conditions=react-server --import tsx bench/start-latency.ts` (its own embedded PostgreSQL). */
runRuntimeSectionWhenMain(import.meta.url, 'startab');
