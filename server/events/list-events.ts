import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { ZLimit } from '@/server/api/pagination';
import { decodeTimeIdCursor, encodeTimeIdCursor } from '@/server/api/time-id-cursor';
import { toEventRecord, type TEventRecord } from '@/server/events/event-record';
import { redactEnvelope } from '@/server/runtime/interpreter/redact-snapshot';

export const EVENT_MATCHES = ['matched', 'unmatched'] as const;

export const ZListEvents = z.object({
  /** Part of the event name, case-insensitive (`invoice` finds `invoice.paid`). */
  name: z.string().trim().max(200).optional(),
  /** `matched`: resumed or started at least one run; `unmatched`: neither. */
  match: z.enum(EVENT_MATCHES).optional(),
  limit: ZLimit.optional(),
  cursor: z.string().max(500).optional(),
});
export type TListEvents = z.input<typeof ZListEvents>;

function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, '\\$&');
}

/**
 * The tenant's events, newest first, for the Events page: matched and unmatched, with what
 * each resumed and started. Payloads come back with secret-looking keys (`password`, `token`,
 * `authorization`, …) masked, as snapshots are: a payload posted by a script is shown to
 * every member who can read runs.
 */
export async function listEvents({
  db,
  ctx,
  input = {},
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input?: TListEvents;
}): Promise<{ items: TEventRecord[]; nextCursor: string | null }> {
  assertAllowed(ctx, 'run.read');
  const { name, match, limit, cursor } = ZListEvents.parse(input);
  const size = ZLimit.parse(limit);
  const after = decodeTimeIdCursor(cursor);
  let query = db
    .selectFrom('events')
    .select(['id', 'event', 'correlation_key', 'payload', 'received_at', 'resumed', 'started'])
    // received_at as text keeps microseconds, which a JS Date would drop and make the cursor skip rows.
    .select(sql<string>`to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('received_key'))
    .where('tenant_id', '=', ctx.tenantId);
  if (name) query = query.where('event', 'ilike', `%${escapeLike(name)}%`);
  if (match === 'matched') query = query.where(sql<boolean>`cardinality(resumed) + cardinality(started) > 0`);
  if (match === 'unmatched') query = query.where(sql<boolean>`cardinality(resumed) + cardinality(started) = 0`);
  if (after) query = query.where(sql<boolean>`(received_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
  const rows = await query
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(size + 1)
    .execute();
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => {
      const record = toEventRecord(row);
      return { ...record, payload: (redactEnvelope({ payload: record.payload }, []) as { payload: unknown }).payload };
    }),
    nextCursor: rows.length > size && last ? encodeTimeIdCursor(last.received_key, last.id) : null,
  };
}
