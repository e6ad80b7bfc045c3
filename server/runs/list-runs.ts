import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { decodeCursor, encodeCursor, ZLimit } from '@/server/api/pagination';
import { AppError } from '@/server/errors';
import { ZRunStatus } from '@/server/runtime/run-status';
import { RUN_RECORD_COLUMNS, toRunRecord, type TRunRecord } from '@/server/runs/run-record';

export const ZListRuns = z.object({
  /** A workflow key. */
  workflow: z.string().trim().min(1).max(100).optional(),
  status: ZRunStatus.optional(),
  /** The business state a `state.set` step gave the run. */
  state: z.string().trim().min(1).max(200).optional(),
  /** Created at or after this time. */
  from: z.string().datetime({ offset: true, message: 'an ISO 8601 time' }).optional(),
  /** Created before this time. */
  to: z.string().datetime({ offset: true, message: 'an ISO 8601 time' }).optional(),
  /** A run id, or text found anywhere in the run's input. */
  q: z.string().trim().min(1).max(200).optional(),
  limit: ZLimit.optional(),
  cursor: z.string().max(500).optional(),
});
export type TListRuns = z.input<typeof ZListRuns>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, '\\$&');
}

/** The cursor is the last item's `created_at|id`: runs made in the same microsecond still page apart. */
function parseCursor(cursor: string | undefined): { at: string; id: string } | null {
  const key = decodeCursor(cursor);
  if (key === null) return null;
  const [at, id] = key.split('|');
  if (!at || !id || !UUID.test(id) || Number.isNaN(Date.parse(at))) throw new AppError('VALIDATION', 'cursor: not a cursor this API returned', [{ path: 'cursor', message: 'invalid cursor' }]);
  return { at, id };
}

/** The tenant's runs, newest first, filtered, a page at a time. */
export async function listRuns({ db, ctx, input = {} }: { db: DbOrTx; ctx: TAuthContext; input?: TListRuns }): Promise<{ items: TRunRecord[]; nextCursor: string | null }> {
  assertAllowed(ctx, 'run.read');
  const { workflow, status, state, from, to, q, limit, cursor } = ZListRuns.parse(input);
  const size = ZLimit.parse(limit);
  const after = parseCursor(cursor);
  let query = db
    .selectFrom('runs')
    .select(RUN_RECORD_COLUMNS)
    // created_at as text keeps microseconds, which a JS Date would drop and make the cursor skip rows.
    .select(sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_key'))
    .where('tenant_id', '=', ctx.tenantId);
  if (workflow) query = query.where('workflow_key', '=', workflow);
  if (status) query = query.where('status', '=', status);
  if (state) query = query.where('state', '=', state);
  if (from) query = query.where('created_at', '>=', new Date(from));
  if (to) query = query.where('created_at', '<', new Date(to));
  if (q) {
    const text = sql<boolean>`input::text ILIKE ${`%${escapeLike(q)}%`}`;
    query = UUID.test(q) ? query.where((eb) => eb.or([eb('id', '=', q), text])) : query.where(text);
  }
  if (after) query = query.where(sql<boolean>`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(size + 1).execute();
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return { items: page.map(toRunRecord), nextCursor: rows.length > size && last ? encodeCursor(`${last.created_key}|${last.id}`) : null };
}
