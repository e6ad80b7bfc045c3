import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { ZLimit } from '@/server/api/pagination';
import { decodeTimeIdCursor, encodeTimeIdCursor } from '@/server/api/time-id-cursor';
import { OUTBOX_MESSAGE_COLUMNS, toOutboxMessage, type TOutboxMessage } from '@/server/email/outbox-message-record';

export const ZListOutboxMessages = z.object({ limit: ZLimit.optional(), cursor: z.string().max(500).optional() });
export type TListOutboxMessages = z.input<typeof ZListOutboxMessages>;

/**
 * The tenant's outbox, newest first: messages email.send kept because no SMTP_URL is set.
 * Readable with `run.read`, like the step records that hold the same input.
 */
export async function listOutboxMessages({
  db,
  ctx,
  input = {},
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input?: TListOutboxMessages;
}): Promise<{ items: TOutboxMessage[]; nextCursor: string | null }> {
  assertAllowed(ctx, 'run.read');
  const { limit, cursor } = ZListOutboxMessages.parse(input);
  const size = ZLimit.parse(limit);
  const after = decodeTimeIdCursor(cursor);
  let query = db
    .selectFrom('email_messages')
    .select(OUTBOX_MESSAGE_COLUMNS)
    .select(sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_key'))
    .where('tenant_id', '=', ctx.tenantId)
    .where('delivery', '=', 'outbox');
  if (after) query = query.where(sql<boolean>`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(size + 1)
    .execute();
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return {
    items: page.map(toOutboxMessage),
    nextCursor: rows.length > size && last ? encodeTimeIdCursor(last.created_key, last.id) : null,
  };
}
