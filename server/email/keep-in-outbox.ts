import 'server-only';
import { recordLedgerEntry } from '@/server/runtime/run-store/ledger';
import type { Db } from '@/server/db/database';

export type TOutboxMessage = {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string | null;
  html: string | null;
};

/**
 * Keeps an email.send message in the outbox (no SMTP_URL) → its messageId. The message and the
 * action's ledger row are written in one transaction and the row is unique per tenant and
 * idempotency key, so a retry of the same invocation keeps nothing new and answers the first
 * message's id: exactly once, whatever crashed when.
 */
export async function keepInOutbox({
  db,
  tenantId,
  idempotencyKey,
  runId,
  stepPath,
  message,
}: {
  db: Db;
  tenantId: string;
  idempotencyKey: string;
  runId: string;
  stepPath: string;
  message: TOutboxMessage;
}): Promise<string> {
  return db.transaction().execute(async (tx) => {
    await tx
      .insertInto('email_messages')
      .values({
        tenant_id: tenantId,
        idempotency_key: idempotencyKey,
        run_id: runId,
        step_path: stepPath,
        message_id: message.messageId,
        from_address: message.from,
        to_addresses: message.to,
        subject: message.subject,
        text_body: message.text,
        html_body: message.html,
        delivery: 'outbox',
        status: 'kept',
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
      .execute();
    const kept = await tx
      .selectFrom('email_messages')
      .select('message_id')
      .where('tenant_id', '=', tenantId)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirstOrThrow();
    await recordLedgerEntry(tx, {
      tenantId,
      action: 'email.send',
      version: 1,
      idempotencyKey,
      runId,
      stepPath,
      output: { messageId: kept.message_id },
    });
    return kept.message_id;
  });
}
