/**
 * The EXPLAIN (ANALYZE, BUFFERS) of the statements behind one page of GET /api/v1/runs, for
 * section D (bench/runs-list.ts): the indexes each used and their execution time.
 */
import type { Compilable, RawBuilder } from 'kysely';
import type { Db } from '@/server/db/database';
import {
  runsPageQuery,
  textPeekQuery,
  textProbeQuery,
  textSearchQueries,
  TEXT_PEEK,
  TEXT_PROBE_CAP,
  TEXT_SCAN_BUDGET,
} from '@/server/runs/list-runs';
import type { TRunFilters } from '@/server/runs/run-filters';

export type TPlan = { plan: string; indexes: string[]; executionMs: number };

/** EXPLAIN (ANALYZE) of one statement: its plan text, the indexes it used and its execution time. */
export async function explain(db: Db, query: Compilable | RawBuilder<unknown>): Promise<TPlan> {
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

/** Several statements' plans as one: the texts in order, the indexes of all, the times summed. */
export function joinedPlans(plans: TPlan[]): TPlan {
  return {
    plan: plans.map((p) => p.plan).join('\n---\n'),
    indexes: [...new Set(plans.flatMap((p) => p.indexes))],
    executionMs: plans.reduce((sum, p) => sum + p.executionMs, 0),
  };
}

/** The plans of the statements listRuns runs for one page (a text search takes up to three steps). */
export async function pagePlan({
  db,
  tenantId,
  filters,
  after,
}: {
  db: Db;
  tenantId: string;
  filters: TRunFilters;
  after: { at: string; id: string } | null;
}): Promise<TPlan> {
  const args = { db, tenantId, filters, after, size: 50 };
  if (!filters.q) return explain(db, runsPageQuery(args));
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
    if ((probed[0]?.probed ?? 0) <= TEXT_PROBE_CAP) return joinedPlans(plans);
  } else {
    return plans[0]!;
  }
  const { inWindow, windowEnd, pastWindow } = textSearchQueries(args);
  plans.push(await explain(db, inWindow(51)));
  const found = (await inWindow(51).execute()).length;
  const end = found > 50 ? undefined : await windowEnd.executeTakeFirst();
  if (found <= 50) plans.push(await explain(db, windowEnd));
  if (end) plans.push(await explain(db, pastWindow({ at: end.created_key, id: end.id }, 51 - found)));
  return joinedPlans(plans);
}
