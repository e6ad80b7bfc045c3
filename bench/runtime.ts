/**
 * Runtime benchmarks (part of `npm run bench`), each figure beside a baseline measured in the
 * same run on the same PostgreSQL, and beside the target from the issue:
 *   3. start latency: startRun → first step.started, vs pg-boss send → handler;
 *   3b. the same as before and as now, alternated, beside a bare commit and NOTIFY (bench/start-latency.ts);
 *   4. throughput: 1,000 runs × 10 steps on one worker process, vs pgbench -N;
 *   5. event resume: resolve a wait + wakeRun → the waiting step finished;
 *   6. worker memory with 10,000 runs waiting on events, vs an idle worker;
 *   7. advance jobs sent per run behind a backlog (bench/advance-jobs.ts);
 *   7b. durable steps per worker commit, as before and as now (bench/durable-worker.ts).
 * Workers are real `worker/main.ts` processes; latencies use the database's own records.
 */
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb, setDb, type Db } from '@/server/db/database';
import { startEmbeddedPostgres } from '@/server/db/embedded';
import { migrateToLatest } from '@/server/db/migrate';
import { closeQueue } from '@/server/runtime/queue/run-queue';
import { startRun } from '@/server/runtime/start-run';
import { wakeRun } from '@/server/runtime/run-store/wake-run';
import type { TAuthContext } from '@/server/auth/context';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import { figureRow, latencyRow, percentiles } from '@/bench/lib/stats';
import { bossLatency, hasPgbench, pgbenchTps, preparePgbench, rawInsertTps } from '@/bench/baselines';
import { startBenchWorker } from '@/bench/lib/worker-process';
import { followRuns } from '@/bench/lib/follow-runs';
import { advanceJobBenchmarks } from '@/bench/advance-jobs';
import { workerMemoryBenchmarks } from '@/bench/worker-memory';
import { pureWorkerBenchmarks } from '@/bench/pure-worker';
import { historyWriteBenchmarks } from '@/bench/history-writes';
import { durableWorkerBenchmarks } from '@/bench/durable-worker';
import { startLatencyBenchmarks } from '@/bench/start-latency';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

/** Transactions committed in this database so far (every statement outside BEGIN is one). */
async function committedTransactions(db: Db): Promise<number> {
  const row = await sql<{
    n: string;
  }>`SELECT pg_stat_get_db_xact_commit(oid)::text AS n FROM pg_database WHERE datname = current_database()`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}

async function countRuns(db: Db, workflowKey: string, statuses: string[]): Promise<number> {
  const row = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('workflow_key', '=', workflowKey)
    .where('status', 'in', statuses as never)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function pollUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  describe?: () => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`bench: timed out waiting for ${what}${describe ? `: ${await describe()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts `n` runs with at most `concurrency` startRun calls in flight; returns their ids. */
async function startMany(
  ctx: TAuthContext,
  workflowKey: string,
  n: number,
  concurrency: number,
  input: (i: number) => unknown,
): Promise<string[]> {
  const ids: string[] = new Array<string>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        ids[i] = (
          await startRun({ tenantId: ctx.tenantId, workflowKey, input: input(i), trigger: { type: 'api' } })
        ).runId;
      }
    }),
  );
  return ids;
}

/** Runs the runtime benchmarks against `url` (a migrated or empty database of its own). */
export async function runtimeBenchmarks({ url }: { url: string }): Promise<void> {
  process.env.DATABASE_URL = url; // startRun's pg-boss sender and getDb() use it
  const { db } = createDb(url, { max: 8 });
  setDb(db);
  await migrateToLatest({ db });
  const { ctx } = await createTenantWithMember({ db, role: 'editor' });
  const runs = await followRuns(url);

  const steps10 = Array.from({ length: 10 }, (_, i) =>
    i % 2 === 0
      ? {
          id: `add${i}`,
          type: 'transform.assign',
          config: { assign: { [`vars.n${i}`]: { $expr: `payload.i + ${i}` } } },
        }
      : {
          id: `echo${i}`,
          type: 'action.call',
          config: { action: 'core.echo', version: 1, input: { i: { $expr: 'payload.i' } } },
        },
  );
  await publishWorkflow({
    db,
    ctx,
    key: 'bench-one',
    document: { steps: [{ id: 'only', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
  });
  await publishWorkflow({ db, ctx, key: 'bench-ten', document: { steps: steps10 } });
  await publishWorkflow({
    db,
    ctx,
    key: 'bench-await',
    document: {
      steps: [
        { id: 'await', type: 'event.wait', config: { event: 'bench.go', correlationKey: { $expr: 'payload.k' } } },
        { id: 'after', type: 'transform.assign', config: { assign: { 'vars.done': true } } },
      ],
    },
  });

  // BENCH_ONLY=start,startab,throughput,resume,memory,durable,jobs picks sections (all by default; purewab only by name).
  const only = new Set((process.env.BENCH_ONLY ?? '').split(',').filter(Boolean));
  const wants = (section: string) => only.size === 0 || only.has(section);
  let worker: Awaited<ReturnType<typeof startBenchWorker>> | null = null;

  // 3. Start latency, one run at a time on an idle worker.
  if (wants('start')) {
    console.log(
      '\n3. Run start: startRun (what POST /runs calls) → first step.started, one run at a time, one worker process',
    );
    worker = await startBenchWorker(url);
    const START_N = 300;
    const startSamples: number[] = [];
    const apiSamples: number[] = [];
    const endSamples: number[] = [];
    const t0s = new Map<string, number>();
    for (let i = 0; i < START_N + 20; i++) {
      const t0 = Date.now();
      const { runId } = await startRun({
        tenantId: ctx.tenantId,
        workflowKey: 'bench-one',
        input: { i },
        trigger: { type: 'api' },
      });
      const api = Date.now() - t0;
      const end = await runs.until(runId, TERMINAL);
      if (i < 20) continue; // warm-up: JIT, connection pools, version cache
      t0s.set(runId, t0);
      apiSamples.push(api);
      endSamples.push(end - t0);
    }
    const started = await db
      .selectFrom('run_events')
      .select(['run_id', 'at'])
      .where('run_id', 'in', [...t0s.keys()])
      .where('type', '=', 'step.started')
      .execute();
    for (const event of started) startSamples.push(event.at.getTime() - t0s.get(event.run_id)!);
    console.log(latencyRow('baseline: pg-boss send → handler (in-process)', await bossLatency(url, START_N)));
    console.log(latencyRow('startRun call itself (run + event + job, 1 tx)', percentiles(apiSamples)));
    console.log(latencyRow('startRun → first step.started', percentiles(startSamples), 'p50 ≤ 15 ms, p99 ≤ 60 ms'));
    console.log(latencyRow('startRun → run.succeeded seen by a listener', percentiles(endSamples)));
    await worker.stop();
  }
  // 3b. Start latency as before and as now (bench/start-latency.ts); only when asked by name.
  if (only.has('startab')) await startLatencyBenchmarks({ db, ctx, url, follow: runs });

  // 4. Throughput: a backlog of 1,000 runs drained by one worker.
  if (wants('throughput')) {
    console.log('\n4. Throughput: 1,000 runs × 10 steps (transform.assign / core.echo), one worker process');
    const RUNS = 1000;
    const backlogStart = performance.now();
    const tenIds = await startMany(ctx, 'bench-ten', RUNS, 8, (i) => ({ i }));
    const startRate = (RUNS / (performance.now() - backlogStart)) * 1000;
    worker = await startBenchWorker(url);
    const commitsBefore = await committedTransactions(db);
    const drainStart = Date.now();
    await pollUntil(
      '1,000 runs to finish',
      async () => (await countRuns(db, 'bench-ten', ['SUCCEEDED', 'FAILED', 'CANCELED'])) === RUNS,
      300_000,
    );
    const last = await db
      .selectFrom('runs')
      .select((eb) => eb.fn.max('completed_at').as('last'))
      .where('id', 'in', tenIds)
      .executeTakeFirstOrThrow();
    const drainMs = new Date(last.last as unknown as string).getTime() - drainStart;
    await new Promise((resolve) => setTimeout(resolve, 1500)); // backends flush their statistics within a second
    const commitsPerRun = ((await committedTransactions(db)) - commitsBefore) / RUNS;
    const failed = RUNS - (await countRuns(db, 'bench-ten', ['SUCCEEDED']));
    const stepCount = await db
      .selectFrom('run_steps')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('run_id', 'in', tenIds)
      .where('status', '=', 'SUCCEEDED')
      .executeTakeFirstOrThrow();
    let baseline: string;
    if (hasPgbench()) {
      await preparePgbench(url);
      baseline = `pgbench -N: ${pgbenchTps(url, 1).toFixed(0)} tps (1 client), ${pgbenchTps(url, 8).toFixed(0)} tps (8 clients)`;
    } else {
      baseline = `raw one-row INSERT transactions: ${(await rawInsertTps(url)).toFixed(0)} tps (1 connection)`;
    }
    console.log(figureRow('baseline', baseline));
    console.log(figureRow('startRun, 8 concurrent callers', `${startRate.toFixed(0)} runs/s`));
    console.log(
      figureRow(
        `steps drained (${stepCount.n} SUCCEEDED, ${failed} runs not SUCCEEDED)`,
        `${((Number(stepCount.n) / drainMs) * 1000).toFixed(0)} steps/s`,
        '≥ 2,000 steps/s',
      ),
    );
    console.log(figureRow('runs drained', `${((RUNS / drainMs) * 1000).toFixed(0)} runs/s`));
    console.log(
      figureRow('database transactions per 10-step run (pg-boss and bench polling included)', commitsPerRun.toFixed(1)),
    );
    await worker.stop();
  }

  // 5. Event resume: the wait resolved and the run woken in one transaction, as event delivery does.
  if (wants('resume')) {
    worker = await startBenchWorker(url);
    console.log('\n5. Event resume: resolve the wait + wakeRun (one tx) → the event.wait step finished, one at a time');
    const RESUME_N = 200;
    const awaitIds = await startMany(ctx, 'bench-await', RESUME_N, 8, (i) => ({ k: `k${i}` }));
    await pollUntil('runs to wait', async () => (await countRuns(db, 'bench-await', ['WAITING'])) === RESUME_N, 60_000);
    const resumeSamples: number[] = [];
    const resumeEnd: number[] = [];
    const resumeT0 = new Map<string, number>();
    for (const [i, runId] of awaitIds.entries()) {
      const t0 = Date.now();
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('run_waits')
          .set({ status: 'resolved', payload: JSON.stringify({ i }), resolved_at: new Date() })
          .where('run_id', '=', runId)
          .where('status', '=', 'open')
          .execute();
        await wakeRun({ db: tx, runId, reason: 'bench event' });
      });
      const end = await runs.until(runId, TERMINAL);
      if (i < 10) continue; // warm-up
      resumeT0.set(runId, t0);
      resumeEnd.push(end - t0);
    }
    const resumed = await db
      .selectFrom('run_events')
      .select(['run_id', 'at'])
      .where('run_id', 'in', [...resumeT0.keys()])
      .where('type', '=', 'step.succeeded')
      .where('step_id', '=', 'await')
      .execute();
    for (const event of resumed) resumeSamples.push(event.at.getTime() - resumeT0.get(event.run_id)!);
    console.log(latencyRow('baseline: pg-boss send → handler (in-process)', await bossLatency(url, RESUME_N)));
    console.log(latencyRow('resolve + wake → event.wait step.succeeded', percentiles(resumeSamples), 'p50 ≤ 20 ms'));
    console.log(latencyRow('resolve + wake → run.succeeded seen by a listener', percentiles(resumeEnd)));
    await worker.stop();
  }

  // 6. Memory: a fresh worker takes 10,000 runs to their event wait (bench/worker-memory.ts).
  if (wants('memory')) {
    const awaitDocument = {
      steps: [
        { id: 'await', type: 'event.wait', config: { event: 'bench.go', correlationKey: { $expr: 'payload.k' } } },
        { id: 'after', type: 'transform.assign', config: { assign: { 'vars.done': true } } },
      ],
    };
    await workerMemoryBenchmarks({
      db,
      url,
      startMany: (workflowKey, n, input) => startMany(ctx, workflowKey, n, 16, input),
      publishAwait: async (key) => void (await publishWorkflow({ db, ctx, key, document: awaitDocument })),
      pollUntil,
    });
  }

  if (wants('durable')) await durableWorkerBenchmarks({ db, ctx, url, follow: runs });
  // 7c and 7d: BENCH_PURE_PAYLOAD_BYTES=<n> gives each run's input a field of n incompressible
  // characters besides `i` (a webhook's body, say), which every step's snapshot used to repeat.
  const padding = Number(process.env.BENCH_PURE_PAYLOAD_BYTES ?? 0);
  const pureInput = (i: number) =>
    padding > 0 ? { i, pad: randomBytes(padding).toString('base64url').slice(0, padding) } : { i };

  // 7c. Pure-step runs as before and as now (bench/pure-worker.ts); only when asked by name.
  if (only.has('purewab'))
    await pureWorkerBenchmarks({
      db,
      url,
      startMany: (workflowKey, n, inFlight) => startMany(ctx, workflowKey, n, inFlight, pureInput),
    });

  // 7d. PostgreSQL per pure-step run, schema and run store as before and as now (bench/history-writes.ts); only by name.
  if (only.has('historyab'))
    await historyWriteBenchmarks({
      db,
      url,
      startMany: (workflowKey, n, inFlight) => startMany(ctx, workflowKey, n, inFlight, pureInput),
    });

  if (wants('jobs')) {
    await advanceJobBenchmarks({
      db,
      url,
      workflowKey: 'bench-ten',
      startMany: (n) => startMany(ctx, 'bench-ten', n, 8, (i) => ({ i })),
    });
    // The same with the runs aged 3 min first: the reaper's look for lost jobs sees them all.
    await advanceJobBenchmarks({
      db,
      url,
      workflowKey: 'bench-ten',
      startMany: (n) => startMany(ctx, 'bench-ten', n, 8, (i) => ({ i })),
      aged: true,
    });
  }

  await runs.close();
  await closeQueue();
  await db.destroy();
  console.log('');
}

// Standalone: `node --conditions=react-server --import tsx bench/runtime.ts` runs only these, on an embedded PostgreSQL of their own.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipewright-bench-runtime-'));
  chmodSync(dir, 0o755); // the embedded server runs as the postgres user when we are root
  const database = await startEmbeddedPostgres({ databaseDir: path.join(dir, 'pg'), password: 'bench-password-1234' });
  try {
    await runtimeBenchmarks({ url: database.url });
  } finally {
    await database.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
