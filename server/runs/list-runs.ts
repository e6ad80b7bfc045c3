import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { decodeCursor, encodeCursor, ZLimit } from '@/server/api/pagination';
import { AppError } from '@/model/errors';
import { applyRunFilters, UUID, ZRunFilters, type TRunFilters } from '@/server/runs/run-filters';
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

/**
 * The statement behind a page: the filters, then `(created_at, id)` after the cursor, newest
 * first. Each filter has an index ending in (created_at desc, id desc) (migration
 * 20261208000100), so any page — the first or the thousandth — reads about `size` index entries
 * instead of sorting the tenant's runs. Exported for the benchmark's EXPLAIN.
 */
export function runsPageQuery({
  db,
  tenantId,
  filters,
  after,
  size,
}: {
  db: DbOrTx;
  tenantId: string;
  filters: TRunFilters;
  after: { at: string; id: string } | null;
  size: number;
}) {
  let query = applyRunFilters(
    db
      .selectFrom('runs')
      .select(RUN_RECORD_COLUMNS)
      // created_at as text keeps microseconds, which a JS Date would drop and make the cursor skip rows.
      .select(sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_key'))
      .where('tenant_id', '=', tenantId),
    filters,
  );
  if (after) query = query.where(sql<boolean>`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(size + 1);
}

/** The tenant's runs, newest first, filtered, a page at a time. */
export async function listRuns({
  db,
  ctx,
  input = {},
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input?: TListRuns;
}): Promise<{ items: TRunRecord[]; nextCursor: string | null }> {
  assertAllowed(ctx, 'run.read');
  const { limit, cursor, ...filters } = ZListRuns.parse(input);
  const size = ZLimit.parse(limit);
  const rows = await runsPageQuery({ db, tenantId: ctx.tenantId, filters, after: parseCursor(cursor), size }).execute();
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return {
    items: page.map(toRunRecord),
    nextCursor: rows.length > size && last ? encodeCursor(`${last.created_key}|${last.id}`) : null,
  };
}
