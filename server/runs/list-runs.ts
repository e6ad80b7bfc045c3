import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { decodeCursor, encodeCursor, ZLimit } from '@/server/api/pagination';
import { AppError } from '@/model/errors';
import { applyRunFilters, runTextMatch, UUID, ZRunFilters, type TRunFilters } from '@/server/runs/run-filters';
import { RUN_RECORD_COLUMNS, toRunRecord, type TRunRecord } from '@/server/runs/run-record';

export const ZListRuns = ZRunFilters.extend({
  limit: ZLimit.optional(),
  cursor: z.string().max(500).optional(),
});
export type TListRuns = z.input<typeof ZListRuns>;

/** The time in a cursor: what `created_key` below writes (UTC, microseconds), nothing PostgreSQL could refuse. */
const CURSOR_TIME = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The cursor is the last item's `created_at|id`: runs made in the same microsecond still page apart. */
function parseCursor(cursor: string | undefined): { at: string; id: string } | null {
  const key = decodeCursor(cursor);
  if (key === null) return null;
  const [at, id, extra] = key.split('|');
  const year = Number(CURSOR_TIME.exec(at ?? '')?.[1] ?? 0);
  if (!at || !id || extra !== undefined || !UUID.test(id) || year < 1 || Number.isNaN(Date.parse(at))) {
    throw new AppError('VALIDATION', 'cursor: not a cursor this API returned', [
      { path: 'cursor', message: 'invalid cursor' },
    ]);
  }
  return { at, id };
}

/** The page's rows, with `created_key` (the cursor's time); `size + 1` of them tell whether there is a next page. */
type TPageRow = Awaited<ReturnType<ReturnType<typeof runsPageQuery>['execute']>>[number];

type TPageArgs = {
  db: DbOrTx;
  tenantId: string;
  filters: TRunFilters;
  after: { at: string; id: string } | null;
  size: number;
};

const afterCursor = (after: { at: string; id: string }) =>
  sql<boolean>`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`;

/** created_at as text keeps microseconds, which a JS Date would drop and make the cursor skip rows. */
const CREATED_KEY = sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * The statement behind a page: the filters, then `(created_at, id)` after the cursor, newest
 * first. Each filter has an index ending in (created_at desc, id desc) (migration
 * 20261208000100), so any page — the first or the thousandth — reads about `size` index entries
 * instead of sorting the tenant's runs. Exported for the benchmark's EXPLAIN.
 */
export function runsPageQuery({ db, tenantId, filters, after, size }: TPageArgs) {
  let query = applyRunFilters(
    db
      .selectFrom('runs')
      .select(RUN_RECORD_COLUMNS)
      .select(CREATED_KEY.as('created_key'))
      .where('tenant_id', '=', tenantId),
    filters,
    tenantId,
  );
  if (after) query = query.where(afterCursor(after));
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(size + 1);
}

/**
 * Runs a text search reads in list order before it asks the text's trigram index instead. A
 * search that matches often fills its page within them; one that matches rarely among runs the
 * other filters keep (say `state=approved` and a word no approved run has) would otherwise read
 * every such run before it knew the page was short: 160 ms with 25,000 of them.
 */
export const TEXT_SCAN_BUDGET = 1000;

/**
 * A text search's page in two steps, each in list order, together the same rows
 * runsPageQuery would give: (1) the text looked for in the next `budget` runs the other filters
 * keep (an index range scan that stops there); (2) when that did not fill the page and runs
 * remain past them, the rest found through the indexes (the input text index of
 * `run_input_texts` with the tenant and workflow, the filters' b-trees on `runs`), then sorted:
 * its cost follows the matches, not the runs read. Exported for the benchmark's EXPLAIN.
 */
export function textSearchQueries(
  { db, tenantId, filters, after }: Omit<TPageArgs, 'size'>,
  budget = TEXT_SCAN_BUDGET,
) {
  const { q: _text, ...others } = filters;
  let window = applyRunFilters(db.selectFrom('runs').where('tenant_id', '=', tenantId), others, tenantId);
  if (after) window = window.where(afterCursor(after));
  window = window.orderBy('created_at', 'desc').orderBy('id', 'desc');
  const record = db
    .selectFrom('runs')
    .select(RUN_RECORD_COLUMNS)
    .select(CREATED_KEY.as('created_key'))
    .where('tenant_id', '=', tenantId);
  // The window's rows read in list order with the text tested on them above the LIMIT (the
  // peek's statement, `budget` runs long): as `id IN (the window's ids)` each of the 1,000 was
  // looked up again by primary key, 16 ms for a common word at 100,000 runs where this takes ~5.
  const inWindow = (limit: number) => textPeekQuery({ db, tenantId, filters, after, size: limit - 1 }, budget);
  /** The last run of the window, when the window is full (runs may remain past it). */
  const windowEnd = window
    .select(['id', CREATED_KEY.as('created_key')])
    .offset(budget - 1)
    .limit(1);
  const pastWindow = (end: { at: string; id: string }, limit: number) => {
    // OFFSET 0 keeps the list order out of the inner query, so the planner finds the matches
    // through the indexes that narrow them most instead of walking the list order again.
    const matches = applyRunFilters(
      db.selectFrom('runs').select(['id', 'created_at']).where('tenant_id', '=', tenantId).where(afterCursor(end)),
      filters,
      tenantId,
    ).offset(0);
    const top = db
      .selectFrom(matches.as('m'))
      .select('m.id')
      .orderBy('m.created_at', 'desc')
      .orderBy('m.id', 'desc')
      .limit(limit);
    return record.where('id', 'in', top).orderBy('created_at', 'desc').orderBy('id', 'desc');
  };
  return { inWindow, windowEnd, pastWindow };
}

/**
 * The matches a text search's probe counts before it gives up on the indexes (issue #16). A
 * text that the other filters and the input's trigrams narrow to fewer runs than this is
 * answered from the indexes alone, whatever it would cost in list order; a commoner one falls
 * back to the list-order window, where it fills its page quickly.
 */
export const TEXT_PROBE_CAP = 500;

/**
 * A text search's first statement: every run the filters, the text and the cursor keep, found
 * through the indexes (a bitmap scan of run_input_texts_text_idx, the runs it gives checked
 * against the other filters), read up to `cap + 1` of them, then the first `size + 1` in list
 * order with their records. `probed` on each row is how many were read: over `cap`, the text is
 * too common for this and the rows are not the page. The
 * MATERIALIZED CTE keeps the planner's list-order plans (which would read runs until the page
 * fills, every run the filters keep when nothing matches) out of the match-finding, and the
 * LIMIT above it stops the heap reads at the cap. Exported for the benchmark's EXPLAIN.
 */
export function textProbeQuery({ db, tenantId, filters, after, size }: TPageArgs, cap = TEXT_PROBE_CAP) {
  let matches = applyRunFilters(
    db.selectFrom('runs').select(['id', 'created_at']).where('tenant_id', '=', tenantId),
    filters,
    tenantId,
  );
  if (after) matches = matches.where(afterCursor(after));
  return db
    .with(
      (cte) => cte('m').materialized(),
      () => matches,
    )
    .with('c', (qb) =>
      qb
        .selectFrom('m')
        .select(['m.id', 'm.created_at'])
        .limit(cap + 1),
    )
    .selectFrom('runs')
    .select(RUN_RECORD_COLUMNS)
    .select(CREATED_KEY.as('created_key'))
    .select(sql<number>`(SELECT count(*) FROM c)::int`.as('probed'))
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', (qb) =>
      qb
        .selectFrom('c')
        .select('c.id')
        .orderBy('c.created_at', 'desc')
        .orderBy('c.id', 'desc')
        .limit(size + 1),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc');
}

/**
 * Runs a text search looks at in list order before its probe: a common text (one run in four)
 * fills its page among them for about 2 ms, where the probe would build the bitmap of every
 * match (12 ms for 11,000 of them) only to give up; one that matches often enough to fill the
 * page within TEXT_SCAN_BUDGET runs (one in twenty) goes to that window without the probe.
 */
export const TEXT_PEEK = 200;

/**
 * The peek: the next `peek` runs the other filters keep, in list order, then the text looked
 * for among them. The LIMIT inside keeps the text out of the runs' scan (PostgreSQL does not
 * push a condition below a LIMIT), so a rare text costs `peek` rows here, not a bitmap scan of
 * the input text index that the probe would do again. Exported for the benchmark's EXPLAIN.
 */
export function textPeekQuery({ db, tenantId, filters, after, size }: TPageArgs, peek = TEXT_PEEK) {
  const { q, ...others } = filters;
  let window = applyRunFilters(
    db
      .selectFrom('runs')
      .select(RUN_RECORD_COLUMNS)
      .select(CREATED_KEY.as('created_key'))
      .where('tenant_id', '=', tenantId),
    others,
    tenantId,
  );
  if (after) window = window.where(afterCursor(after));
  return db
    .selectFrom(window.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(peek).as('w'))
    .selectAll()
    .where(runTextMatch(q ?? ''))
    .orderBy('w.created_at', 'desc')
    .orderBy('w.id', 'desc')
    .limit(size + 1);
}

/**
 * How a text search finds its page: `peek` runs in list order, then the probe capped at
 * `probeCap` matches, then the list-order window of `budget` runs and the indexes past it.
 * `probeCap` 0 skips the peek and the probe: the window first, as before issue #16's probe.
 */
type TTextPlan = { budget: number; probeCap: number; peek: number };

/** Up to `size + 1` rows of a page, in list order. */
async function pageRows(args: TPageArgs, { budget, probeCap, peek }: TTextPlan): Promise<TPageRow[]> {
  if (!args.filters.q) return runsPageQuery(args).execute();
  if (probeCap > 0) {
    let dense = false;
    if (peek > 0) {
      const peeked = await textPeekQuery(args, peek).execute();
      if (peeked.length > args.size) return peeked;
      // Matches in the peek at a rate that fills the page within the window: the text is common
      // and the probe would only hit its cap. (The page is exact either way; this picks the cheaper.)
      dense = peeked.length * budget > args.size * peek;
    }
    if (!dense) {
      const probed = await textProbeQuery(args, probeCap).execute();
      // No row: nothing matched. Rows read up to the cap: they are every match, so these are the page.
      if ((probed[0]?.probed ?? 0) <= probeCap) return probed.map(({ probed: _, ...row }) => row);
    }
  }
  const { inWindow, windowEnd, pastWindow } = textSearchQueries(args, budget);
  const found = await inWindow(args.size + 1).execute();
  if (found.length > args.size) return found;
  const end = await windowEnd.executeTakeFirst();
  if (!end) return found; // the window held every run the other filters keep
  const rest = await pastWindow({ at: end.created_key, id: end.id }, args.size + 1 - found.length).execute();
  return [...found, ...rest];
}

/** The tenant's runs, newest first, filtered, a page at a time. */
export async function listRuns({
  db,
  ctx,
  input = {},
  textScanBudget = TEXT_SCAN_BUDGET,
  textProbeCap = TEXT_PROBE_CAP,
  textPeek = TEXT_PEEK,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input?: TListRuns;
  /** For tests: how many runs a text search reads in list order before it uses the indexes. */
  textScanBudget?: number;
  /** For tests and the benchmark: the probe's cap (0: no probe, the window first as before). */
  textProbeCap?: number;
  /** For tests: how many runs a text search looks at in list order before the probe. */
  textPeek?: number;
}): Promise<{ items: TRunRecord[]; nextCursor: string | null }> {
  assertAllowed(ctx, 'run.read');
  const { limit, cursor, ...filters } = ZListRuns.parse(input);
  const size = ZLimit.parse(limit);
  const args = { db, tenantId: ctx.tenantId, filters, after: parseCursor(cursor), size };
  const rows = await pageRows(args, { budget: textScanBudget, probeCap: textProbeCap, peek: textPeek });
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return {
    items: page.map(toRunRecord),
    nextCursor: rows.length > size && last ? encodeCursor(`${last.created_key}|${last.id}`) : null,
  };
}
