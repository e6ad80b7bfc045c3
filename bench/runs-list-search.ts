/**
 * Issue #16, a text search that matches nothing: the runs list's text searches at 100,000 runs
 * (BENCH_LIST_RUNS), each answered both ways in the same process on the same data — "before",
 * the list-order window first (listRuns with `textProbeCap: 0`, what main did), and "after",
 * the capped probe of the input text index (run_input_texts) first (the default) — with the first page and five
 * following pages timed, the pages compared (they must be the same runs), and EXPLAIN ANALYZE of
 * each statement with the indexes it used. Server time here is listRuns' own time, without the
 * HTTP layer (bench/runs-list.ts measures through GET /api/v1/runs).
 *
 * The runs are written through `insertRuns` in bulk, as bench/runs-list-seed.ts does, then given
 * the status and state the worker would (the seeded workflows set `state` from the input and
 * fail when `fail` is true; list-wait waits): the list reads only `runs`, so no worker is needed.
 *
 *   node --conditions=react-server --import tsx bench/runs-list-search.ts
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { createDb, type Db } from '@/server/db/database';
import { startEmbeddedPostgres } from '@/server/db/embedded';
import { migrateToLatest } from '@/server/db/migrate';
import { closeQueue } from '@/server/runtime/queue/run-queue';
import {
  listRuns,
  textPeekQuery,
  textProbeQuery,
  textSearchQueries,
  TEXT_PEEK,
  TEXT_PROBE_CAP,
  TEXT_SCAN_BUDGET,
} from '@/server/runs/list-runs';
import { ZRunFilters } from '@/server/runs/run-filters';
import { decodeCursor } from '@/server/api/pagination';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import { endingDocument, seed, WAITING } from '@/bench/runs-list-seed';
import { percentiles } from '@/bench/lib/stats';
import { explain, joinedPlans, type TPlan } from '@/bench/runs-list-explain';

const ENDING = ['list-a', 'list-b', 'list-c', 'list-d', 'list-e'];

/** The seeded runs as the worker leaves them: the list reads these columns only. */
async function settle(db: Db, tenantId: string): Promise<void> {
  await sql`
    UPDATE runs SET
      status = CASE WHEN workflow_key = ${WAITING} THEN 'WAITING'
                    WHEN (input->>'fail')::boolean THEN 'FAILED' ELSE 'SUCCEEDED' END,
      state = CASE WHEN workflow_key = ${WAITING} THEN NULL ELSE input->>'state' END,
      started_at = created_at,
      completed_at = CASE WHEN workflow_key = ${WAITING} THEN NULL ELSE created_at + interval '5 ms' END
     WHERE tenant_id = ${tenantId}`.execute(db);
  // The seed wrote a batch a statement, so each batch's runs share created_at: spread them over
  // a week, keeping ties within a batch, the way runs started over days would be.
  await sql`
    UPDATE runs SET created_at = created_at - make_interval(secs => (abs(hashtext(id::text)) % 604800))
     WHERE tenant_id = ${tenantId} AND abs(hashtext(id::text || 't')) % 4 <> 0`.execute(db);
}

export async function runsListSearchBenchmarks(db: Db): Promise<Record<string, unknown>> {
  const n = Number(process.env.BENCH_LIST_RUNS ?? 100_000);
  const { ctx } = await createTenantWithMember({ db, role: 'admin' });
  // Another tenant whose runs have the same words: none of them may show.
  const other = await createTenantWithMember({ db, role: 'admin' });
  for (const c of [ctx, other.ctx]) {
    for (const key of ENDING) await publishWorkflow({ db, ctx: c, key, document: endingDocument() as never });
    await publishWorkflow({
      db,
      ctx: c,
      key: WAITING,
      document: {
        steps: [{ id: 'await', type: 'event.wait', config: { event: 'bench.never', correlationKey: 'x' } }],
      } as never,
    });
  }
  console.log(
    `\nText search in the runs list, ${n.toLocaleString('en')} runs (issue #16: a search that matches nothing)`,
  );
  const seedMs = await seed(db, ctx.tenantId, n);
  await seed(db, other.ctx.tenantId, Math.min(n, 10_000));
  await closeQueue();
  await settle(db, ctx.tenantId);
  await settle(db, other.ctx.tenantId);
  await sql`VACUUM ANALYZE runs`.execute(db);
  // The search's text table, as autovacuum would have analyzed it by now (without, the planner
  // took a common text for one run and looked each of 25,000 up in runs).
  await sql`VACUUM ANALYZE run_input_texts`.execute(db);
  console.log(`  seeded in ${(seedMs / 1000).toFixed(1)} s (insertRuns, 1,000 a statement)`);

  const window = await db
    .selectFrom('runs')
    .select([
      sql<string>`percentile_disc(0.4) WITHIN GROUP (ORDER BY created_at)`.as('from'),
      sql<string>`percentile_disc(0.6) WITHIN GROUP (ORDER BY created_at)`.as('to'),
    ])
    .where('tenant_id', '=', ctx.tenantId)
    .executeTakeFirstOrThrow();
  const from = new Date(window.from).toISOString();
  const to = new Date(window.to).toISOString();
  const someRun = await db
    .selectFrom('runs')
    .select('id')
    .where('tenant_id', '=', ctx.tenantId)
    .limit(1)
    .executeTakeFirstOrThrow();
  const combos: Record<string, Record<string, string>> = {
    'text (no match)': { q: 'no run has this' },
    'text (rare)': { q: 'cust-01234' },
    'text (a run id)': { q: someRun.id },
    'text (~100 matches)': { q: '#777' },
    'text (common)': { q: 'invoice' },
    'workflow + text': { workflow: 'list-c', q: 'refund' },
    'status + text': { status: 'WAITING', q: 'express' },
    'status + text (no match)': { status: 'FAILED', q: 'no run has this' },
    'state + text (no match)': { state: 'approved', q: 'express' },
    'workflow + state + text (no match)': { workflow: 'list-d', state: 'approved', q: 'express' },
    'workflow + state + text': { workflow: 'list-d', state: 'approved', q: 'order' },
    'from/to + text (no match)': { from, to, q: 'no run has this' },
    'from/to + text (rare)': { from, to, q: 'cust-0123' },
    'status + from/to + text (no match)': { status: 'FAILED', from, to, q: 'nothing-here' },
    'all filters + text': { workflow: 'list-e', status: 'FAILED', state: 'new', from, to, q: 'order' },
    'all filters + text (no match)': {
      workflow: 'list-b',
      status: 'SUCCEEDED',
      state: 'approved',
      from,
      to,
      q: 'express',
    },
  };
  const ways = { before: 0, after: TEXT_PROBE_CAP } as const;
  const rows: Record<string, unknown> = {};
  let worst = { before: 0, after: 0 };
  console.log(
    `  ${'filters'.padEnd(38)} ${'before: first / next p50'.padStart(26)} ${'after: first / next p50'.padStart(26)}  items  after's indexes`,
  );
  for (const [name, filters] of Object.entries(combos)) {
    const result: Record<string, unknown> = { filters };
    const pages: Record<string, string[][]> = {};
    for (const [way, textProbeCap] of Object.entries(ways) as [keyof typeof ways, number][]) {
      const page = (cursor?: string) =>
        listRuns({ db, ctx, input: { ...filters, limit: 50, ...(cursor ? { cursor } : {}) }, textProbeCap });
      const firstSamples: number[] = [];
      let first = await page(); // warm-up
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        first = await page();
        firstSamples.push(performance.now() - t0);
      }
      const nextSamples: number[] = [];
      pages[way] = [first.items.map((item) => item.id)];
      let cursor = first.nextCursor;
      let laterCursor: string | null = null;
      for (let i = 0; i < 5 && cursor; i++) {
        const t0 = performance.now();
        const next = await page(cursor);
        nextSamples.push(performance.now() - t0);
        pages[way].push(next.items.map((item) => item.id));
        laterCursor = cursor;
        cursor = next.nextCursor;
      }
      const parsed = ZRunFilters.parse(filters);
      const [at, id] = (laterCursor ? decodeCursor(laterCursor) : '')?.split('|') ?? [];
      const plan = async (after: { at: string; id: string } | null): Promise<TPlan> => {
        const args = { db, tenantId: ctx.tenantId, filters: parsed, after, size: 50 };
        const plans: TPlan[] = [];
        if (textProbeCap > 0) {
          const peek = textPeekQuery(args);
          plans.push(await explain(db, peek));
          const peeked = (await peek.execute()).length;
          if (peeked > 50) return joinedPlans(plans);
          if (peeked * TEXT_SCAN_BUDGET <= 50 * TEXT_PEEK) {
            plans.push(await explain(db, textProbeQuery(args, textProbeCap)));
            const probed = await textProbeQuery(args, textProbeCap).execute();
            if ((probed[0]?.probed ?? 0) <= textProbeCap) return joinedPlans(plans);
          }
        }
        const { inWindow, windowEnd, pastWindow } = textSearchQueries(args);
        plans.push(await explain(db, inWindow(51)));
        const found = (await inWindow(51).execute()).length;
        if (found > 50) return joinedPlans(plans);
        plans.push(await explain(db, windowEnd));
        const end = await windowEnd.executeTakeFirst();
        if (end) plans.push(await explain(db, pastWindow({ at: end.created_key, id: end.id }, 51 - found)));
        return joinedPlans(plans);
      };
      const firstStats = percentiles(firstSamples);
      const nextStats = percentiles(nextSamples);
      worst = {
        ...worst,
        [way]: Math.max(worst[way], firstStats.p50, nextSamples.length ? nextStats.p50 : 0),
      };
      result[way] = {
        first: { p50Ms: firstStats.p50, maxMs: firstStats.max },
        nextPages: nextSamples.length ? { n: nextStats.n, p50Ms: nextStats.p50, maxMs: nextStats.max } : null,
        items: first.items.length,
        explainFirst: await plan(null),
        explainLater: at && id ? await plan({ at, id }) : null,
      };
    }
    const same = JSON.stringify(pages.before) === JSON.stringify(pages.after);
    if (!same) throw new Error(`bench: "${name}" gave different pages before and after`);
    result.samePages = same;
    rows[name] = result;
    const r = result as Record<
      'before' | 'after',
      { first: { p50Ms: number }; nextPages: { p50Ms: number } | null; items: number; explainFirst: TPlan }
    >;
    const cell = (w: 'before' | 'after') =>
      `${r[w].first.p50Ms.toFixed(1).padStart(7)} / ${r[w].nextPages ? r[w].nextPages.p50Ms.toFixed(1).padStart(6) : '     -'} ms`;
    console.log(
      `  ${name.padEnd(38)} ${cell('before').padStart(26)} ${cell('after').padStart(26)}  ${String(r.after.items).padStart(5)}  ${r.after.explainFirst.indexes.join(', ') || 'NO INDEX'}`,
    );
  }
  console.log(
    `  slowest page (p50): before ${worst.before.toFixed(1)} ms, after ${worst.after.toFixed(1)} ms   target ≤ 50 ms; the same pages both ways`,
  );
  return { runs: n, probeCap: TEXT_PROBE_CAP, peek: TEXT_PEEK, slowestPageP50Ms: worst, combos: rows };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipewright-bench-search-'));
  chmodSync(dir, 0o755); // the embedded server runs as the postgres user when we are root
  const pg = await startEmbeddedPostgres({ databaseDir: path.join(dir, 'pg'), password: 'bench' });
  process.env.DATABASE_URL = pg.url; // insertRuns sends its jobs through this process's pg-boss
  const { db } = createDb(pg.url, { max: 4 });
  try {
    await migrateToLatest({ db });
    const results = await runsListSearchBenchmarks(db);
    const out = path.join(tmpdir(), `pipewright-bench-runs-search-${Date.now()}.json`);
    writeFileSync(out, JSON.stringify(results, null, 2));
    console.log(`\nJSON: ${out}`);
  } finally {
    await db.destroy();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
