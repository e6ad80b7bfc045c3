import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { AppError } from '@/model/errors';
import { OUTBOX_MESSAGE_COLUMNS, toOutboxMessage, type TOutboxMessage } from '@/server/email/outbox-message-record';

export const ZOutboxMessageId = z.string().uuid('not a message id');

/** One outbox message of the tenant; another tenant's id (or an SMTP send) is NOT_FOUND. */
export async function getOutboxMessage({
  db,
  ctx,
  id,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  id: string;
}): Promise<TOutboxMessage> {
  assertAllowed(ctx, 'run.read');
  const parsed = ZOutboxMessageId.safeParse(id);
  if (!parsed.success) throw new AppError('NOT_FOUND', 'No such message in the outbox.');
  const row = await db
    .selectFrom('email_messages')
    .select(OUTBOX_MESSAGE_COLUMNS)
    .where('tenant_id', '=', ctx.tenantId)
    .where('delivery', '=', 'outbox')
    .where('id', '=', parsed.data)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'No such message in the outbox.');
  return toOutboxMessage(row);
}
