/**
 * D. The runs list at scale (part of bench/http.ts): a tenant with 100,000 runs (BENCH_LIST_RUNS),
 * created in bulk through the run store's own `insertRuns` and run by the app's real worker, so
 * every run has its steps, events and audit entry. Then, through the HTTP API: the first page and
 * five following pages of GET /api/v1/runs for each filter combination, with EXPLAIN ANALYZE of
 * the statement behind the first and a later page; and the Runs and Overview pages as a signed-in
 * person loads them.
 */
import { cpus, loadavg } from 'node:os';
import { sql } from 'kysely';
import { createDb, type Db } from '@/server/db/database';
import { startBenchApp, type TBenchApp } from '@/bench/lib/app-process';
import { BenchClient } from '@/bench/lib/http-load';
import { signIn, getPage } from '@/bench/lib/page-session';
import { SERVER_TIME_HEADER, takeServerTimes } from '@/bench/lib/server-time';
import { startBenchWorker } from '@/bench/lib/worker-process';
import { appPids } from '@/bench/lib/process-cpu';
import { keptListData, markSeeded, type TSeedRecord } from '@/bench/runs-list-data-dir';
import { pagePlan } from '@/bench/runs-list-explain';
import { overviewSql } from '@/bench/runs-list-overview';
import { publishSeedWorkflows, seed, waitForDrain, WAITING } from '@/bench/runs-list-seed';
import { figureRow, latencyRow, percentiles, type TStats } from '@/bench/lib/stats';
import { ZRunFilters } from '@/server/runs/run-filters';
import { decodeCursor } from '@/server/api/pagination';
import { closeQueue } from '@/server/runtime/queue/run-queue';

/** Samples of each figure (the first page of a filter, a page, GET /health): p50 of these. */
const TIMES = Number(process.env.BENCH_LIST_TIMES ?? 9);

/** With BENCH_WEB_PROF: the web process writes its CPU profile so far and starts a new one. */
function profileWindow(app: TBenchApp): void {
  if (process.env.BENCH_WEB_PROF) for (const pid of appPids(app.pid).web) process.kill(pid, 'SIGUSR2');
}

/** Client-side and server-side (the web process's own clock) latency of `times` sequential requests. */
type TTimed = { client: TStats; server: TStats };

async function timed(app: TBenchApp, times: number, fn: () => Promise<void>): Promise<TTimed> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  const server = await takeServerTimes(app.serverTimingFile, times);
  return { client: percentiles(samples), server: percentiles(server.map((entry) => entry.ms)) };
}

/** A latency row with the server's p50 beside the client's. */
function timedRow(name: string, t: TTimed, target = ''): string {
  return `${latencyRow(name, t.client, target)}  server p50=${t.server.p50.toFixed(1)} ms max=${t.server.max.toFixed(1)} ms`;
}

const timedJson = (t: TTimed) => ({
  p50Ms: t.client.p50,
  maxMs: t.client.max,
  serverP50Ms: t.server.p50,
  serverMaxMs: t.server.max,
});

/** Seeds n runs (insertRuns, then the app's worker and BENCH_LIST_SEED_WORKERS more run them). */
async function seedRuns(app: TBenchApp, db: Db, client: BenchClient, n: number): Promise<TSeedRecord> {
  process.env.DATABASE_URL = app.dbUrl; // insertRuns sends jobs through this process's pg-boss
  await publishSeedWorkflows(client);
  const tenant = await db.selectFrom('tenants').select('id').where('slug', '=', 'default').executeTakeFirstOrThrow();
  const extra = Number(process.env.BENCH_LIST_SEED_WORKERS ?? 1);
  const workers = await Promise.all(
    Array.from({ length: extra }, () => startBenchWorker(app.dbUrl, { PIPEWRIGHT_DATA_DIR: app.dataDir })),
  );
  try {
    const seedMs = await seed(db, tenant.id, n);
    await closeQueue();
    const drainMs = await waitForDrain(db, tenant.id, n);
    // What autovacuum does for a table that grew this much: fresh statistics, and a visibility map
    // so the list's and the Overview's index-only scans need not visit the table.
    await sql`VACUUM ANALYZE runs`.execute(db);
    // The search's text table, as autovacuum would have analyzed it by now (without, the planner
    // took a common text for one run and looked each of 25,000 up in runs).
    await sql`VACUUM ANALYZE run_input_texts`.execute(db);
    const count = async (table: 'run_steps' | 'run_events') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('tenant_id', '=', tenant.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      at: new Date().toISOString(),
      runs: n,
      steps: await count('run_steps'),
      events: await count('run_events'),
      seedRunsPerSecond: Math.round((n / seedMs) * 1000),
      workerDrainMs: Math.round(drainMs),
      seedWorkers: 1 + extra,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

/**
 * Section D. With BENCH_LIST_DATA_DIR it runs on an app of its own whose seeded data is kept
 * there between bench runs (bench/runs-list-data-dir.ts); else on the bench's app, seeded now.
 */
export async function runsListBenchmarks(shared: {
  app: TBenchApp;
  db: Db;
  client: BenchClient;
}): Promise<Record<string, unknown>> {
  const n = Number(process.env.BENCH_LIST_RUNS ?? 100_000);
  const root = process.env.BENCH_LIST_DATA_DIR;
  if (!root) return measureRunsList({ ...shared, n, kept: null });
  const kept = keptListData(root, n);
  const app = await startBenchApp({ dataDir: kept.dataDir });
  const { db } = createDb(app.dbUrl, { max: 4 });
  const client = new BenchClient(app.baseUrl, app.token);
  try {
    return await measureRunsList({ app, db, client, n, kept });
  } catch (error) {
    console.error(app.output().slice(-4000));
    throw error;
  } finally {
    client.close();
    await db.destroy();
    await app.stop();
  }
}

async function measureRunsList({
  app,
  db,
  client,
  n,
  kept,
}: {
  app: TBenchApp;
  db: Db;
  client: BenchClient;
  n: number;
  kept: ReturnType<typeof keptListData> | null;
}): Promise<Record<string, unknown>> {
  console.log(
    `\nD. Runs list with ${n.toLocaleString('en')} runs in the tenant (GET /api/v1/runs, 50 a page; server time = the web process's, request to last byte)`,
  );
  // Every figure here is a few milliseconds of CPU: on a shared machine the load decides them, so say what it was.
  const loadAverage = () =>
    loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ');
  console.log(`  load average (1/5/15 min) at the start: ${loadAverage()} on ${cpus().length} cores`);
  const reused = kept?.seeded ?? null;
  const seeded = reused ?? (await seedRuns(app, db, client, n));
  if (kept && !reused) markSeeded(kept.dataDir, seeded);
  const tenant = await db.selectFrom('tenants').select('id').where('slug', '=', 'default').executeTakeFirstOrThrow();
  if (reused) console.log(`  reusing the runs seeded at ${reused.at} in ${kept!.dataDir} (BENCH_LIST_DATA_DIR); then:`);
  else if (kept)
    console.log(`  seeded now into ${kept.dataDir}; the next bench run with BENCH_LIST_DATA_DIR reuses it`);
  console.log(figureRow('seeded: runs written (insertRuns, 1,000 a statement)', `${seeded.seedRunsPerSecond} runs/s`));
  console.log(
    figureRow(
      `seeded: run by ${seeded.seedWorkers} workers (${seeded.steps} steps, ${seeded.events} events)`,
      `${(seeded.workerDrainMs / 1000).toFixed(0)} s`,
    ),
  );

  const window = await db
    .selectFrom('runs')
    .select([
      sql<string>`percentile_disc(0.4) WITHIN GROUP (ORDER BY created_at)`.as('from'),
      sql<string>`percentile_disc(0.6) WITHIN GROUP (ORDER BY created_at)`.as('to'),
    ])
    .where('tenant_id', '=', tenant.id)
    .executeTakeFirstOrThrow();
  const from = new Date(window.from).toISOString();
  const to = new Date(window.to).toISOString();
  const combos: Record<string, Record<string, string>> = {
    'no filter': {},
    workflow: { workflow: 'list-c' },
    status: { status: 'FAILED' },
    'status (rare: WAITING)': { status: 'WAITING' },
    state: { state: 'refunded' },
    'from/to': { from, to },
    'text (rare)': { q: 'cust-01234' },
    'text (common)': { q: 'invoice' },
    'workflow + status': { workflow: 'list-c', status: 'SUCCEEDED' },
    'workflow + status (empty)': { workflow: WAITING, status: 'FAILED' },
    'workflow + state': { workflow: 'list-b', state: 'shipped' },
    'status + from/to': { status: 'FAILED', from, to },
    'workflow + status + state + from/to': { workflow: 'list-a', status: 'SUCCEEDED', state: 'new', from, to },
    'workflow + state + text': { workflow: 'list-d', state: 'approved', q: 'express' },
    'all filters + text': { workflow: 'list-e', status: 'FAILED', state: 'new', from, to, q: 'order' },
    // Common filters whose conjunction with the text matches nothing: the index scan in list
    // order reads every run of the filter before it knows.
    'state + text (no match)': { state: 'approved', q: 'express' },
    'workflow + state + text (no match)': { workflow: 'list-d', state: 'approved', q: 'express' },
  };
  const rows: Record<string, unknown> = {};
  let worstFirst = 0;
  let worstNext = 0;
  const get = async (path: string) => {
    const res = await client.request('GET', path, undefined, SERVER_TIME_HEADER);
    if (res.status !== 200) throw new Error(`bench: GET ${path} answered ${res.status} ${res.text}`);
    return res.body as { items: unknown[]; nextCursor: string | null };
  };
  for (const [name, filters] of Object.entries(combos)) {
    const qs = new URLSearchParams({ ...filters, limit: '50' });
    let firstBody: { items: unknown[]; nextCursor: string | null } = { items: [], nextCursor: null };
    await client.request('GET', `/api/v1/runs?${qs}`); // warm-up, untimed: the route's first call in a process loads its code
    const first = await timed(app, TIMES, async () => void (firstBody = await get(`/api/v1/runs?${qs}`)));
    const nextSamples: number[] = [];
    let cursor = firstBody.nextCursor;
    let laterCursor: string | null = null;
    for (let page = 0; page < 5 && cursor; page++) {
      const t0 = performance.now();
      const body = await get(`/api/v1/runs?${new URLSearchParams({ ...filters, limit: '50', cursor })}`);
      nextSamples.push(performance.now() - t0);
      laterCursor = cursor;
      cursor = body.nextCursor;
    }
    const next = percentiles(nextSamples);
    const nextServer = percentiles(
      (await takeServerTimes(app.serverTimingFile, nextSamples.length)).map((entry) => entry.ms),
    );
    const parsed = ZRunFilters.parse(filters);
    const [at, id] = (laterCursor ? decodeCursor(laterCursor) : '')?.split('|') ?? [];
    const firstPlan = await pagePlan({ db, tenantId: tenant.id, filters: parsed, after: null });
    const laterPlan = at && id ? await pagePlan({ db, tenantId: tenant.id, filters: parsed, after: { at, id } }) : null;
    worstFirst = Math.max(worstFirst, first.server.p50);
    if (nextSamples.length > 0) worstNext = Math.max(worstNext, nextServer.p50);
    const ms = (stats: TStats) => stats.p50.toFixed(1).padStart(6);
    console.log(
      `  ${name.padEnd(36)} first p50 server ${ms(first.server)} ms (client ${ms(first.client)})  next pages p50 server ${nextSamples.length ? ms(nextServer) : '     -'} ms (client ${nextSamples.length ? ms(next) : '     -'}, ${nextSamples.length})  ${firstBody.items.length} items  SQL ${firstPlan.executionMs.toFixed(2)} ms via ${firstPlan.indexes.join(', ') || 'NO INDEX'}${laterPlan ? ` | later page SQL ${laterPlan.executionMs.toFixed(2)} ms via ${laterPlan.indexes.join(', ') || 'NO INDEX'}` : ''}`,
    );
    rows[name] = {
      filters,
      first: timedJson(first),
      nextPages: nextSamples.length
        ? { n: next.n, p50Ms: next.p50, maxMs: next.max, serverP50Ms: nextServer.p50, serverMaxMs: nextServer.max }
        : null,
      items: firstBody.items.length,
      explainFirst: firstPlan,
      explainLater: laterPlan,
    };
  }
  console.log(figureRow('slowest first page (server p50)', `${worstFirst.toFixed(1)} ms`, '≤ 50 ms'));
  console.log(figureRow('slowest later page (server p50)', `${worstNext.toFixed(1)} ms`, '≤ 50 ms'));

  const cookie = await signIn(app.baseUrl);
  const page = async (path: string, headers: Record<string, string> = SERVER_TIME_HEADER) => {
    const res = await getPage(app.baseUrl, path, cookie, headers);
    if (res.status !== 200) throw new Error(`bench: ${path} answered ${res.status}`);
  };
  await page('/overview', {}); // warm-up: the first render of a route loads its code
  await page('/runs', {});
  // Baseline: the same page, signed in, with a list that is empty at once (the page's own cost).
  const health = await timed(app, TIMES, async () => void (await get('/api/v1/health')));
  // BENCH_WEB_PROF: each page's loads get a CPU profile of their own (SIGUSR2 starts a new one).
  const profiled = async (name: string, path: string) => {
    profileWindow(app);
    const result = await timed(app, process.env.BENCH_WEB_PROF ? 30 : TIMES, () => page(path));
    profileWindow(app);
    if (process.env.BENCH_WEB_PROF)
      console.log(`  (CPU profile of the web process for ${name}: the file before the last in BENCH_WEB_PROF)`);
    return result;
  };
  const emptyRunsPage = await profiled('the empty Runs page', '/runs?workflow=bench-no-such-workflow');
  const runsPage = await profiled('the Runs page', '/runs');
  const runsPageSearch = await timed(app, TIMES, () => page('/runs?state=approved&q=express'));
  const runsPageFiltered = await timed(app, TIMES, () => page(`/runs?workflow=list-c&status=FAILED&state=new`));
  const overview = await profiled('the Overview', '/overview');
  console.log(`  load average before the pages: ${loadAverage()}`);
  console.log(timedRow('baseline: GET /api/v1/health', health));
  console.log(timedRow('baseline: Runs page with an empty list', emptyRunsPage));
  console.log(timedRow('Runs page (/runs), signed in', runsPage, '≤ 50 ms beyond the empty list'));
  console.log(timedRow('Runs page searched (state + text, no match)', runsPageSearch, '≤ 50 ms beyond the empty list'));
  console.log(
    timedRow('Runs page filtered (workflow, status, state)', runsPageFiltered, '≤ 50 ms beyond the empty list'),
  );
  console.log(timedRow('Overview page (/overview)', overview, '≤ 300 ms'));
  const { overviewPlans, overviewParts } = await overviewSql(db, tenant.id);
  return {
    ...seeded,
    seededNow: !reused,
    api: rows,
    worstFirstPageServerP50Ms: worstFirst,
    worstLaterPageServerP50Ms: worstNext,
    overviewPlans,
    overviewParts,
    pages: {
      health: timedJson(health),
      runs: timedJson(runsPage),
      runsFiltered: timedJson(runsPageFiltered),
      runsEmpty: timedJson(emptyRunsPage),
      runsSearched: timedJson(runsPageSearch),
      overview: timedJson(overview),
    },
  };
}
