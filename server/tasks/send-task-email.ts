import 'server-only';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { sendSmtpMessage } from '@/server/email/send-smtp-message';
import { getLogger } from '@/server/logging/logger';
import { readEgressAllowList } from '@/server/runtime/actions/handlers/egress-from-env';
import { DEFAULT_MAIL_FROM } from '@/server/runtime/actions/handlers/email-send-handler';

/** `recordedText`: what the database keeps of the text when it differs (the one-click links masked). */
export type TTaskEmail = { to: string; subject: string; text: string; recordedText?: string };

/**
 * Sends a task notification the way email.send does: through SMTP_URL over the egress guard,
 * or kept in the Outbox without one. Each (tenant, key) is written once before it is sent, so
 * a timer job that fires twice sends once (a crash between the record and the send loses that
 * one message rather than repeating it). The Outbox keeps `recordedText`: a message kept
 * there is read by everyone who may read runs, so it must not carry anyone's one-click links.
 */
export async function sendTaskEmail({
  db,
  tenantId,
  runId,
  key,
  email,
}: {
  db: Db;
  tenantId: string;
  runId: string;
  key: string;
  email: TTaskEmail;
}): Promise<'sent' | 'kept' | 'already' | 'failed'> {
  const from = process.env.SMTP_FROM ?? DEFAULT_MAIL_FROM;
  const smtpUrl = process.env.SMTP_URL;
  const messageId = `<task.${randomUUID()}@pipewright>`;
  const recorded = await db
    .insertInto('email_messages')
    .values({
      tenant_id: tenantId,
      idempotency_key: key,
      run_id: runId,
      step_path: null,
      message_id: messageId,
      from_address: from,
      to_addresses: [email.to],
      subject: email.subject,
      text_body: email.recordedText ?? email.text,
      html_body: null,
      delivery: smtpUrl ? 'smtp' : 'outbox',
      status: smtpUrl ? 'sending' : 'kept',
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!recorded) return 'already';
  if (!smtpUrl) return 'kept';
  const egress = readEgressAllowList();
  try {
    if ('error' in egress) throw new Error(egress.error.message);
    await sendSmtpMessage({
      smtpUrl,
      message: { from, to: [email.to], subject: email.subject, text: email.text, messageId },
      allow: egress.allow,
      signal: AbortSignal.timeout(60_000),
    });
    await db
      .updateTable('email_messages')
      .set({ status: 'sent', sent_at: sql`now()` })
      .where('id', '=', recorded.id)
      .execute();
    return 'sent';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    getLogger().warn({ tenantId, key }, `task email not sent: ${message}`);
    await db.updateTable('email_messages').set({ last_error: message }).where('id', '=', recorded.id).execute();
    return 'failed';
  }
}
