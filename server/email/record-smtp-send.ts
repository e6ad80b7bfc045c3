import type { Db } from '@/server/db/database';
import type { TEmailStatus } from '@/server/email/email-message';

type TSmtpSendKey = { db: Db; tenantId: string; idempotencyKey: string };

/**
 * Marks an SMTP send as begun, unless this idempotency key has a row already → that row's
 * status and messageId. `sent` (or `kept`) means it must not be sent again; `sending` means an
 * earlier attempt failed or died before the server's answer was recorded.
 */
export async function claimSmtpSend({ db, tenantId, idempotencyKey, runId, stepPath, messageId, from, to, subject }: TSmtpSendKey & { runId: string; stepPath: string; messageId: string; from: string; to: string[]; subject: string }): Promise<{ status: TEmailStatus; messageId: string }> {
  await db
    .insertInto('email_messages')
    .values({ tenant_id: tenantId, idempotency_key: idempotencyKey, run_id: runId, step_path: stepPath, message_id: messageId, from_address: from, to_addresses: to, subject, delivery: 'smtp', status: 'sending' })
    .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
    .execute();
  const row = await db.selectFrom('email_messages').select(['status', 'message_id']).where('tenant_id', '=', tenantId).where('idempotency_key', '=', idempotencyKey).executeTakeFirstOrThrow();
  return { status: row.status, messageId: row.message_id };
}

/**
 * Records that the SMTP server accepted the message, together with the action's ledger row,
 * right after the server's answer: a retry from here on finds it and sends nothing.
 */
export async function confirmSmtpSend({ db, tenantId, idempotencyKey, runId, stepPath, messageId }: TSmtpSendKey & { runId: string; stepPath: string; messageId: string }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('email_messages').set({ status: 'sent', sent_at: new Date(), last_error: null }).where('tenant_id', '=', tenantId).where('idempotency_key', '=', idempotencyKey).execute();
    await tx
      .insertInto('action_invocations')
      .values({ tenant_id: tenantId, action: 'email.send', version: 1, idempotency_key: idempotencyKey, run_id: runId, step_path: stepPath, output: JSON.stringify({ messageId }) })
      .onConflict((oc) => oc.doNothing())
      .execute();
  });
}

/** Keeps the last failure on the row (for operators); the row stays `sending`, so a retry sends. */
export async function noteSmtpFailure({ db, tenantId, idempotencyKey, message }: TSmtpSendKey & { message: string }): Promise<void> {
  await db.updateTable('email_messages').set({ last_error: message.slice(0, 2000) }).where('tenant_id', '=', tenantId).where('idempotency_key', '=', idempotencyKey).where('status', '=', 'sending').execute();
}
