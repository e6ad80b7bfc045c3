/**
 * Issue #16, what PostgreSQL pays per pure-step run, schema and run store as before and as now
 * (`BENCH_ONLY=historyab` of bench/runtime.ts, or alone): runs of 1 step (16 in flight) and of
 * 10 steps (32 in flight) started in-process while one worker runs them, two modes alternated
 * on one database:
 *   - "before": the worker of BENCH_HISTORY_BEFORE (default `main`), with the migrations this
 *     tree has and that revision lacks taken down (none when it has them all);
 *   - "now": those migrations up and the worker bundled from the sources as they are.
 * Both connect over TCP, so only the schema and the code differ. Per run: CPU ms of PostgreSQL
 * (postmaster and backends, /proc) and of the worker, WAL bytes, history rows by table; with
 * BENCH_PG_STATEMENTS=1 (pg_stat_statements loaded) the statements that cost PostgreSQL most;
 * BENCH_PURE_PAYLOAD_BYTES=<n>, runs whose input carries n more bytes (bench/runtime.ts).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { sql, type Migration } from 'kysely';
import type { Db } from '@/server/db/database';
import { figureRow } from '@/bench/lib/stats';
import { startBenchWorker } from '@/bench/lib/worker-process';
import { buildWorker } from '@/scripts/lib/build-worker';
import { bundleWorkerOf, gitRev } from '@/bench/durable-worker';
import { postmasterPidOf, processTreeCpuMs } from '@/bench/lib/process-cpu';
import { runRuntimeSectionWhenMain } from '@/bench/lib/runtime-section-alone';
import { printStatements, resetStatements, unfinishedRuns } from '@/bench/lib/pg-statements';
import { MIGRATIONS } from '@/migrations';

const RUNS = Number(process.env.BENCH_HISTORY_RUNS ?? 600);
const ROUNDS = Number(process.env.BENCH_HISTORY_ROUNDS ?? 2);
/**
 * The migrations of this tree that git revision `rev` does not have: taken down while its worker
 * runs (that worker expects its own schema). Empty when `rev` has them all.
 */
function migrationsNotIn(rev: string): Array<[string, Migration]> {
  const files = execFileSync('git', ['ls-tree', '--name-only', `${rev}:migrations`], { encoding: 'utf8' });
  const known = new Set(files.split('\n').map((file) => file.replace(/\.ts$/, '')));
  return Object.entries(MIGRATIONS).filter(([name]) => !known.has(name));
}
const TABLES = ['run_events', 'run_steps', 'run_snapshots', 'action_invocations'] as const;

type TMode = 'before' | 'now';
type TLoad = { workflowKey: string; steps: number; inFlight: number };
export type THistoryModeResult = {
  mode: TMode;
  steps: number;
  runsPerSecond: number;
  databaseCpuMsPerRun: number;
  workerCpuMsPerRun: number;
  walBytesPerRun: number;
  rowsPerRun: Record<string, number>;
};

/** The schema the database is at: the bench starts on this tree's ("now"). */
let schemaAt: TMode = 'now';

/**
 * Runs are started in-process by this tree's code, which writes a run's first event to
 * `run_event_rows` (migration 20270105000000). Under the schema before it, that name is a plain
 * view of `run_events`, which PostgreSQL inserts through as into the table.
 */
const EVENT_ROWS_MIGRATION = '20270105000000_run_event_batches';

async function setSchema(db: Db, mode: TMode, newer: Array<[string, Migration]>): Promise<void> {
  if (schemaAt === mode) return;
  const shim = newer.some(([name]) => name === EVENT_ROWS_MIGRATION);
  if (shim && mode === 'now') await sql`DROP VIEW run_event_rows`.execute(db);
  const steps = mode === 'before' ? [...newer].reverse() : newer;
  for (const [, migration] of steps) await (mode === 'before' ? migration.down! : migration.up)(db);
  if (shim && mode === 'before') await sql`CREATE VIEW run_event_rows AS SELECT * FROM run_events`.execute(db);
  schemaAt = mode;
}

async function walBytes(db: Db): Promise<bigint> {
  const wal = await sql<{ wal: string }>`SELECT (pg_current_wal_lsn() - '0/0')::text AS wal`.execute(db);
  return BigInt(wal.rows[0]!.wal.split('.')[0]!);
}

/** History rows the runs left, by table (counted, not from the statistics, which lag). */
async function historyRows(db: Db, ids: readonly string[]): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  // Event rows as stored: one per commit since 20270105000000 (run_events is then a view of them).
  const batched = await sql<{ ok: boolean }>`SELECT to_regclass('run_events_pkey') IS NOT NULL AND EXISTS (
      SELECT 1 FROM pg_class WHERE relname = 'run_event_rows' AND relkind = 'r') AS ok`.execute(db);
  for (const table of TABLES) {
    const stored = table === 'run_events' && batched.rows[0]!.ok ? 'run_event_rows' : table;
    const where =
      table === 'action_invocations'
        ? sql`tenant_id IS NOT NULL AND run_id = ANY(${ids}::uuid[])`
        : sql`run_id = ANY(${ids}::uuid[])`;
    const row = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(stored)} WHERE ${where}`.execute(
      db,
    );
    rows[table] = row.rows[0]!.n;
  }
  return rows;
}

async function measure({
  db,
  url,
  mode,
  bundle,
  newer,
  load,
  startMany,
}: {
  db: Db;
  url: string;
  mode: TMode;
  bundle: string;
  newer: Array<[string, Migration]>;
  load: TLoad;
  startMany: (workflowKey: string, n: number, inFlight: number) => Promise<string[]>;
}): Promise<THistoryModeResult> {
  await setSchema(db, mode, newer);
  const worker = await startBenchWorker(url, {}, { bundle });
  try {
    const warm = await startMany(load.workflowKey, 40, load.inFlight);
    while ((await unfinishedRuns(db, warm)) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const backend = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0]!.pid;
    const postmaster = postmasterPidOf(backend);
    const cpu = () => ({
      worker: processTreeCpuMs(worker.pid),
      database: postmaster ? processTreeCpuMs(postmaster) : Number.NaN,
    });
    const statements = await resetStatements(db);
    const walBefore = await walBytes(db);
    const before = cpu();
    const t0 = performance.now();
    const ids = await startMany(load.workflowKey, RUNS, load.inFlight);
    while ((await unfinishedRuns(db, ids)) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const elapsed = performance.now() - t0;
    const after = cpu();
    const walAfter = await walBytes(db);
    const rows = await historyRows(db, ids);
    if (statements)
      await printStatements(db, { runs: RUNS, label: `${mode} ${load.steps}-step runs`, indent: '    ', limit: 6 });
    const failed = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM runs WHERE id = ANY(${ids}::uuid[]) AND status <> 'SUCCEEDED'`.execute(db);
    if (failed.rows[0]!.n > 0) throw new Error(`bench history (${mode}): ${failed.rows[0]!.n} runs did not succeed`);
    return {
      mode,
      steps: load.steps,
      runsPerSecond: (RUNS / elapsed) * 1000,
      databaseCpuMsPerRun: (after.database - before.database) / RUNS,
      workerCpuMsPerRun: (after.worker - before.worker) / RUNS,
      walBytesPerRun: Number(walAfter - walBefore) / RUNS,
      rowsPerRun: Object.fromEntries(TABLES.map((table) => [table, rows[table]! / RUNS])),
    };
  } finally {
    await worker.stop();
  }
}

export async function historyWriteBenchmarks({
  db,
  url,
  startMany,
}: {
  db: Db;
  url: string;
  startMany: (workflowKey: string, n: number, inFlight: number) => Promise<string[]>;
}): Promise<THistoryModeResult[]> {
  const loads: TLoad[] = [
    { workflowKey: 'bench-one', steps: 1, inFlight: 16 },
    { workflowKey: 'bench-ten', steps: 10, inFlight: 32 },
  ];
  const beforeRev = process.env.BENCH_HISTORY_BEFORE ?? 'main';
  const newer = migrationsNotIn(beforeRev);
  const down = newer.length ? `migrations ${newer.map(([name]) => name).join(', ')} down` : 'the same schema';
  console.log(
    `\n7d. PostgreSQL per pure-step run, ${RUNS} runs per load started in-process while one worker runs them; "before" (${down}, worker of ${beforeRev} ${gitRev(beforeRev)}) and "now" alternated, both over TCP`,
  );
  const bundles: Record<TMode, string> = {
    before: await bundleWorkerOf(beforeRev),
    now: await buildWorker(process.cwd(), path.resolve('.next', 'bench-worker-now', 'main.mjs')),
  };
  const results: THistoryModeResult[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++)
      for (const load of loads)
        for (const mode of ['before', 'now'] as const) {
          const r = await measure({ db, url, mode, bundle: bundles[mode], newer, load, startMany });
          results.push(r);
          const rows = TABLES.map((table) => `${table} ${r.rowsPerRun[table]!.toFixed(2)}`).join(', ');
          console.log(
            figureRow(
              `${mode.padEnd(6)} ${load.steps}-step: runs/s; CPU ms/run PostgreSQL / worker; WAL B/run`,
              `${r.runsPerSecond.toFixed(0)}; ${r.databaseCpuMsPerRun.toFixed(2)} / ${r.workerCpuMsPerRun.toFixed(2)}; ${r.walBytesPerRun.toFixed(0)}`,
            ),
          );
          console.log(`    rows written per run: ${rows}`);
        }
  } finally {
    await setSchema(db, 'now', newer);
  }
  return results;
}

/** Alone: `node --conditions=react-server --import tsx bench/history-writes.ts` (its own embedded PostgreSQL). */
runRuntimeSectionWhenMain(import.meta.url, 'historyab');
