/**
 * Section A of bench/http.ts (issue #16): the API start rate, 16 requests in flight against one
 * web process, beside `GET /health` and `GET /workflows?limit=1` on the same server, with the
 * CPU each request cost the web process, the worker and PostgreSQL (bench/lib/process-cpu.ts).
 * The start rate is measured twice: with the worker running the started runs meanwhile (what
 * a script meets on a machine that also runs the worker), and with the worker stopped
 * (SIGSTOP), so the runs stay queued and the figure is the web process's and the database's
 * alone; the second also through Next.js (`?via=next`, which the web process's fast path leaves
 * to Next.js), the figure from before that path. With BENCH_QUERY_COUNT or BENCH_WEB_PROF each measured load gets its own files (SIGUSR2).
 */
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import type { TBenchApp } from '@/bench/lib/app-process';
import { loadJson, loadRow, loadTest, type BenchClient, type TLoadResult } from '@/bench/lib/http-load';
import { appCpuTimes, appPids, cpuPerRequest, cpuRow, type TCpuTimes } from '@/bench/lib/process-cpu';
import { figureRow } from '@/bench/lib/stats';
import { printStatements, resetStatements } from '@/bench/lib/pg-statements';

type TMeasured = { load: TLoadResult; cpu: TCpuTimes };

async function committedTransactions(db: Db): Promise<number> {
  const row = await sql<{
    n: string;
  }>`SELECT pg_stat_get_db_xact_commit(oid)::text AS n FROM pg_database WHERE datname = current_database()`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}

/** The pid of the app's running worker, from its presence row. */
async function workerPid(db: Db): Promise<number> {
  const row = await db
    .selectFrom('workers')
    .select('pid')
    .where('stopped_at', 'is', null)
    .orderBy('heartbeat_at', 'desc')
    .executeTakeFirstOrThrow();
  return row.pid;
}

/** Waits (polling, it is a bench) until no run is queued or running: the next section starts on an idle worker. */
async function drained(db: Db, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { n } = await db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', 'in', ['QUEUED', 'RUNNING'])
      .executeTakeFirstOrThrow();
    if (Number(n) === 0) return;
    if (Date.now() > deadline) throw new Error(`${n} runs still queued or running after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Asks the web process and the worker to write their query counts (BENCH_QUERY_COUNT) and CPU
 * profiles (BENCH_WEB_PROF) so far and start new ones: one file per measured load. (Without
 * those preloads SIGUSR2 would end the process.) A stopped worker gets it when it continues.
 */
function profileWindow(app: TBenchApp): void {
  if (!process.env.BENCH_QUERY_COUNT && !process.env.BENCH_WEB_PROF) return;
  const pids = appPids(app.pid);
  for (const pid of [...pids.web, ...pids.worker]) process.kill(pid, 'SIGUSR2');
}

export async function startRateBenchmarks({
  app,
  db,
  client,
}: {
  app: TBenchApp;
  db: Db;
  client: BenchClient;
}): Promise<Record<string, unknown>> {
  console.log('\nA. Requests per second, 16 in flight, one web process; CPU ms per request by process');
  const N = Number(process.env.BENCH_HTTP_N ?? 3000);
  const measure = async (send: (i: number) => ReturnType<BenchClient['request']>, status: number) => {
    profileWindow(app);
    const before = appCpuTimes(app.pid);
    const load = await loadTest({ n: N, concurrency: 16, send, ok: (s) => s === status });
    const cpu = cpuPerRequest(before, appCpuTimes(app.pid), N);
    profileWindow(app);
    return { load, cpu } satisfies TMeasured;
  };
  const health = () => measure(() => client.request('GET', '/api/v1/health'), 200);
  const list = () => measure(() => client.request('GET', '/api/v1/workflows?limit=1'), 200);
  // `?via=next` sends the same start through Next.js instead of the web process's fast path
  // (scripts/lib/api-fast-path.mjs): the figure before that path, measured in the same run.
  const start = (via = '') =>
    measure((i) => client.request('POST', `/api/v1/workflows/bench-one/runs${via}`, { input: { i } }), 202);
  await health(); // warm-up: JIT, pools, caches
  await list();
  await start();
  await start('?via=next');
  await drained(db);
  const h = await health();
  const l = await list();
  const stats = await resetStatements(db);
  const s = await start();
  await drained(db);
  // Printed now, before the rows below: the window is this load and the runs it started.
  if (stats) await printStatements(db, { runs: N, label: 'worker running', limit: 12, unit: 'start' });
  const sNext = await start('?via=next');
  await drained(db);
  const worker = await workerPid(db);
  process.kill(worker, 'SIGSTOP');
  let q: TMeasured;
  let qNext: TMeasured;
  try {
    q = await start();
    qNext = await start('?via=next');
  } finally {
    process.kill(worker, 'SIGCONT');
  }
  const show = (name: string, m: TMeasured, target = '') =>
    console.log(`${loadRow(name, m.load, target)}\n${figureRow('    CPU ms per request', cpuRow(m.cpu))}`);
  show('baseline: GET /api/v1/health', h);
  show('baseline: GET /api/v1/workflows?limit=1', l);
  show('POST /api/v1/workflows/{key}/runs, worker running', s, '≥ 500/s');
  show('  the same through Next.js (?via=next), worker running', sNext);
  show('POST /api/v1/workflows/{key}/runs, worker stopped', q, '≥ 500/s');
  show('  the same through Next.js (?via=next), worker stopped', qNext);
  await drained(db);

  const before = await committedTransactions(db);
  const probe = await loadTest({
    n: 500,
    concurrency: 16,
    send: (i) => client.request('POST', '/api/v1/workflows/bench-one/runs', { input: { i } }),
    ok: (status) => status === 202,
  });
  await drained(db);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // backends flush their statistics within a second
  const perStart = ((await committedTransactions(db)) - before) / probe.latency.n;
  console.log(figureRow('transactions per start (its 1-step run included)', perStart.toFixed(1)));
  const json = (m: TMeasured) => ({ ...loadJson(m.load), cpuMsPerRequest: m.cpu });
  return {
    health: json(h),
    listWorkflows: json(l),
    start: json(s),
    startThroughNext: json(sNext),
    startWorkerStopped: json(q),
    startThroughNextWorkerStopped: json(qNext),
    transactionsPerStartWithRun: perStart,
  };
}
