/**
 * D. The runs list at scale (part of bench/http.ts): a tenant with 100,000 runs (BENCH_LIST_RUNS),
 * created in bulk through the run store's own `insertRuns` and run by the app's real worker, so
 * every run has its steps, events and audit entry. Then, through the HTTP API: the first page and
 * five following pages of GET /api/v1/runs for each filter combination, with EXPLAIN ANALYZE of
 * the statement behind the first and a later page; and the Runs and Overview pages as a signed-in
 * person loads them.
 */
import { sql, type Compilable, type RawBuilder } from 'kysely';
import type { Db } from '@/server/db/database';
import type { TBenchApp } from '@/bench/lib/app-process';
import type { BenchClient } from '@/bench/lib/http-load';
import { signIn, getPage } from '@/bench/lib/page-session';
import { publishSeedWorkflows, seed, waitForDrain, WAITING } from '@/bench/runs-list-seed';
import { figureRow, latencyRow, percentiles, type TStats } from '@/bench/lib/stats';
import {
  runsPageQuery,
  textPeekQuery,
  textProbeQuery,
  textSearchQueries,
  TEXT_PEEK,
  TEXT_PROBE_CAP,
  TEXT_SCAN_BUDGET,
} from '@/server/runs/list-runs';
import { ZRunFilters } from '@/server/runs/run-filters';
import { decodeCursor } from '@/server/api/pagination';
import { closeQueue } from '@/server/runtime/queue/run-queue';
import { weekOfRuns } from '@/server/overview/run-hour-counts';
import { getOverview } from '@/server/overview/get-overview';
import { getStuckWork } from '@/server/overview/get-stuck-work';
import { listAlertFirings } from '@/server/alerts/manage-alert-rules';
import type { TAuthContext } from '@/server/auth/context';

async function timed(times: number, fn: () => Promise<void>): Promise<TStats> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return percentiles(samples);
}

/** EXPLAIN (ANALYZE) of the statement behind one page: its plan text, the indexes it used and its execution time. */
async function explain(
  db: Db,
  query: Compilable | RawBuilder<unknown>,
): Promise<{ plan: string; indexes: string[]; executionMs: number }> {
  // A raw statement compiles against an executor; a query builder has its own and ignores the argument.
  const compiled = (query as RawBuilder<unknown>).compile(db);
  const result = await db.executeQuery<{ 'QUERY PLAN': string }>({
    ...compiled,
    sql: `EXPLAIN (ANALYZE, BUFFERS) ${compiled.sql}`,
  });
  const plan = result.rows.map((row) => row['QUERY PLAN']).join('\n');
  const indexes = [
    ...new Set(
      [...plan.matchAll(/(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)/g)].map((m) => m[1]!),
    ),
  ];
  return { plan, indexes, executionMs: Number(/Execution Time: ([\d.]+)/.exec(plan)?.[1] ?? Number.NaN) };
}

export async function runsListBenchmarks({
  app,
  db,
  client,
}: {
  app: TBenchApp;
  db: Db;
  client: BenchClient;
}): Promise<Record<string, unknown>> {
  const n = Number(process.env.BENCH_LIST_RUNS ?? 100_000);
  console.log(
    `\nD. Runs list with ${n.toLocaleString('en')} runs in the tenant (GET /api/v1/runs, 50 a page; server time = request time over loopback)`,
  );
  process.env.DATABASE_URL = app.dbUrl; // insertRuns sends jobs through this process's pg-boss
  await publishSeedWorkflows(client);
  const tenant = await db.selectFrom('tenants').select('id').where('slug', '=', 'default').executeTakeFirstOrThrow();
  const seedMs = await seed(db, tenant.id, n);
  await closeQueue();
  const drainMs = await waitForDrain(db, tenant.id, n);
  // What autovacuum does for a table that grew this much: fresh statistics, and a visibility map
  // so the list's and the Overview's index-only scans need not visit the table.
  await sql`VACUUM ANALYZE runs`.execute(db);
  const counts = await db
    .selectFrom('run_steps')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenant.id)
    .executeTakeFirstOrThrow();
  const events = await db
    .selectFrom('run_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenant.id)
    .executeTakeFirstOrThrow();
  console.log(
    figureRow('seeded: runs written (insertRuns, 1,000 a statement)', `${((n / seedMs) * 1000).toFixed(0)} runs/s`),
  );
  console.log(
    figureRow(`seeded: run by the worker (${counts.n} steps, ${events.n} events)`, `${(drainMs / 1000).toFixed(0)} s`),
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
  for (const [name, filters] of Object.entries(combos)) {
    const qs = new URLSearchParams({ ...filters, limit: '50' });
    let firstBody: { items: unknown[]; nextCursor: string | null } = { items: [], nextCursor: null };
    const first = await timed(5, async () => {
      const res = await client.request('GET', `/api/v1/runs?${qs}`);
      if (res.status !== 200) throw new Error(`bench: GET /runs?${qs} answered ${res.status} ${res.text}`);
      firstBody = res.body as typeof firstBody;
    });
    const nextSamples: number[] = [];
    let cursor = firstBody.nextCursor;
    let laterCursor: string | null = null;
    for (let page = 0; page < 5 && cursor; page++) {
      const t0 = performance.now();
      const res = await client.request(
        'GET',
        `/api/v1/runs?${new URLSearchParams({ ...filters, limit: '50', cursor })}`,
      );
      nextSamples.push(performance.now() - t0);
      laterCursor = cursor;
      cursor = (res.body as { nextCursor: string | null }).nextCursor;
    }
    const next = percentiles(nextSamples);
    const parsed = ZRunFilters.parse(filters);
    const [at, id] = (laterCursor ? decodeCursor(laterCursor) : '')?.split('|') ?? [];
    const pagePlan = async (after: { at: string; id: string } | null) => {
      const args = { db, tenantId: tenant.id, filters: parsed, after, size: 50 };
      if (!parsed.q) return explain(db, runsPageQuery(args));
      // A text search (listRuns): a peek in list order, the capped probe of the GIN index, and only
      // when the probe hits its cap, the window in list order, its end, the rest.
      const plans = [];
      const peek = textPeekQuery(args);
      plans.push(await explain(db, peek));
      const peeked = (await peek.execute()).length;
      if (peeked <= 50 && peeked * TEXT_SCAN_BUDGET > 50 * TEXT_PEEK) {
        // a common text: listRuns goes to the window without the probe
      } else if (peeked <= 50) {
        plans.push(await explain(db, textProbeQuery(args)));
        const probed = await textProbeQuery(args).execute();
        if ((probed[0]?.probed ?? 0) <= TEXT_PROBE_CAP)
          return {
            plan: plans.map((p) => p.plan).join('\n---\n'),
            indexes: [...new Set(plans.flatMap((p) => p.indexes))],
            executionMs: plans.reduce((sum, p) => sum + p.executionMs, 0),
          };
      } else {
        return plans[0]!;
      }
      const { inWindow, windowEnd, pastWindow } = textSearchQueries(args);
      plans.push(await explain(db, inWindow(51)));
      const found = (await inWindow(51).execute()).length;
      const end = found > 50 ? undefined : await windowEnd.executeTakeFirst();
      if (found <= 50) plans.push(await explain(db, windowEnd));
      if (end) plans.push(await explain(db, pastWindow({ at: end.created_key, id: end.id }, 51 - found)));
      return {
        plan: plans.map((p) => p.plan).join('\n---\n'),
        indexes: [...new Set(plans.flatMap((p) => p.indexes))],
        executionMs: plans.reduce((sum, p) => sum + p.executionMs, 0),
      };
    };
    const firstPlan = await pagePlan(null);
    const laterPlan = at && id ? await pagePlan({ at, id }) : null;
    worstFirst = Math.max(worstFirst, first.p50);
    if (nextSamples.length > 0) worstNext = Math.max(worstNext, next.p50);
    console.log(
      `  ${name.padEnd(40)} first p50=${first.p50.toFixed(1).padStart(6)} ms  next pages p50=${nextSamples.length ? next.p50.toFixed(1).padStart(6) : '     -'} ms (${nextSamples.length})  ${firstBody.items.length} items  SQL ${firstPlan.executionMs.toFixed(2)} ms via ${firstPlan.indexes.join(', ') || 'NO INDEX'}${laterPlan ? ` | later page SQL ${laterPlan.executionMs.toFixed(2)} ms via ${laterPlan.indexes.join(', ') || 'NO INDEX'}` : ''}`,
    );
    rows[name] = {
      filters,
      first: { p50Ms: first.p50, maxMs: first.max },
      nextPages: nextSamples.length ? { n: next.n, p50Ms: next.p50, maxMs: next.max } : null,
      items: firstBody.items.length,
      explainFirst: firstPlan,
      explainLater: laterPlan,
    };
  }
  console.log(figureRow('slowest first page (p50 of 5)', `${worstFirst.toFixed(1)} ms`, '≤ 50 ms'));
  console.log(figureRow('slowest later page (p50)', `${worstNext.toFixed(1)} ms`, '≤ 50 ms'));

  const cookie = await signIn(app.baseUrl);
  const page = async (path: string) => {
    const res = await getPage(app.baseUrl, path, cookie);
    if (res.status !== 200) throw new Error(`bench: ${path} answered ${res.status}`);
  };
  await page('/overview'); // warm-up: the first render of a route loads its code
  await page('/runs');
  // Baseline: the same page, signed in, with a list that is empty at once (the page's own cost).
  const emptyRunsPage = await timed(5, () => page('/runs?workflow=bench-no-such-workflow'));
  const runsPage = await timed(5, () => page('/runs'));
  const runsPageSearch = await timed(5, () => page('/runs?state=approved&q=express'));
  const runsPageFiltered = await timed(5, () => page(`/runs?workflow=list-c&status=FAILED&state=new`));
  const overview = await timed(5, () => page('/overview'));
  const health = await timed(5, async () => void (await client.request('GET', '/api/v1/health')));
  console.log(latencyRow('baseline: GET /api/v1/health', health));
  console.log(latencyRow('baseline: Runs page with an empty list', emptyRunsPage));
  console.log(latencyRow('Runs page (/runs), signed in', runsPage, '≤ 50 ms server time'));
  console.log(latencyRow('Runs page searched (state + text, no match)', runsPageSearch, '≤ 50 ms server time'));
  console.log(latencyRow('Runs page filtered (workflow, status, state)', runsPageFiltered, '≤ 50 ms server time'));
  console.log(latencyRow('Overview page (/overview)', overview, '≤ 300 ms'));
  // The Overview reads the worker's hourly rollup plus the runs after its watermark (5 s timer, 10 s lag).
  const lag = await sql<{ behind: number; rolled: number }>`
    SELECT (SELECT count(*)::int FROM runs WHERE tenant_id = ${tenant.id}
              AND created_at > (SELECT watermark FROM metric_rollup WHERE id = 1)) AS behind,
           (SELECT coalesce(sum(created), 0)::int FROM run_hour_counts WHERE tenant_id = ${tenant.id}) AS rolled`.execute(
    db,
  );
  const overviewPlan = await explain(db, weekOfRuns(tenant.id));
  // Baseline: the week read from the runs themselves, as the Overview did before the rollup.
  const fromRuns = await explain(
    db,
    sql`SELECT date_trunc('hour', created_at AT TIME ZONE 'UTC') AS hour, workflow_key, count(*)::int AS runs,
               (count(*) FILTER (WHERE status = 'FAILED'))::int AS failed
          FROM runs WHERE tenant_id = ${tenant.id} AND created_at >= now() - interval '7 days'
         GROUP BY GROUPING SETS ((1), (workflow_key))`,
  );
  console.log(
    figureRow(
      'baseline: the week by creation read from runs (before)',
      `${fromRuns.executionMs.toFixed(1)} ms`,
      `via ${fromRuns.indexes.join(', ') || 'a sequential scan'}`,
    ),
  );
  console.log(
    figureRow(
      `Overview SQL: the week (${lag.rows[0]!.rolled} runs rolled up, ${lag.rows[0]!.behind} after the watermark)`,
      `${overviewPlan.executionMs.toFixed(1)} ms`,
      `via ${overviewPlan.indexes.join(', ') || 'NO INDEX'}`,
    ),
  );
  // Where the Overview page's time goes: each of its server functions alone, in this process.
  const ctx = {
    tenantId: tenant.id,
    tenantSlug: 'default',
    tenantName: 'Default',
    role: 'admin',
    actor: { type: 'system', name: 'bench' },
  } satisfies TAuthContext;
  const parts = {
    getOverview: await timed(5, async () => void (await getOverview({ db, ctx }))),
    getStuckWork: await timed(5, async () => void (await getStuckWork({ db, ctx }))),
    listAlertFirings: await timed(5, async () => void (await listAlertFirings({ db, ctx, limit: 10 }))),
  };
  for (const [name, stats] of Object.entries(parts)) console.log(latencyRow(`  Overview page: ${name}`, stats));
  const overviewPlans = {
    week: { ...overviewPlan, rolledUpRuns: lag.rows[0]!.rolled, runsAfterWatermark: lag.rows[0]!.behind },
  };
  return {
    runs: n,
    steps: Number(counts.n),
    events: Number(events.n),
    seedRunsPerSecond: Math.round((n / seedMs) * 1000),
    workerDrainMs: Math.round(drainMs),
    api: rows,
    worstFirstPageP50Ms: worstFirst,
    worstLaterPageP50Ms: worstNext,
    overviewPlans,
    pages: {
      health: { p50Ms: health.p50, maxMs: health.max },
      runs: { p50Ms: runsPage.p50, maxMs: runsPage.max },
      runsFiltered: { p50Ms: runsPageFiltered.p50, maxMs: runsPageFiltered.max },
      runsEmpty: { p50Ms: emptyRunsPage.p50, maxMs: emptyRunsPage.max },
      runsSearched: { p50Ms: runsPageSearch.p50, maxMs: runsPageSearch.max },
      overview: { p50Ms: overview.p50, maxMs: overview.max },
    },
  };
}
