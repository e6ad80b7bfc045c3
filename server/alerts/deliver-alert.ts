import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Db } from '@/server/db/database';
import { readEgressAllowList } from '@/server/runtime/actions/handlers/egress-from-env';
import { webhookSendHandler } from '@/server/runtime/actions/handlers/webhook-send-handler';
import { sendSmtpMessage } from '@/server/email/send-smtp-message';
import { getLogger } from '@/server/logging/logger';

export type TAlertPayload = {
  type: 'pipewright.alert';
  alert: {
    id: string;
    ruleId: string;
    kind: string;
    workflow: string | null;
    summary: string;
    firedAt: string;
    details: Record<string, unknown>;
  };
  tenant: string;
};

export type TAlertDelivery = {
  webhook?: { ok: boolean; status?: number; error?: string };
  email?: { ok: boolean; via: 'smtp' | 'outbox'; error?: string };
};

/**
 * Sends a fired alert to the rule's webhook (POST JSON through webhook.send's handler: the egress
 * guard, `Pipewright-Signature` with the rule's key, `Idempotency-Key: alert:<id>`) and/or its
 * email address (SMTP_URL, else the Outbox). One attempt each: an alert that could not be
 * delivered says so on the Overview; the next window fires again if the condition still holds.
 */
export async function deliverAlert({
  db,
  tenantId,
  payload,
  webhookUrl,
  email,
  signingSecret,
}: {
  db: Db;
  tenantId: string;
  payload: TAlertPayload;
  webhookUrl: string | null;
  email: string | null;
  signingSecret: string;
}): Promise<TAlertDelivery> {
  const delivery: TAlertDelivery = {};
  const key = `alert:${payload.alert.id}`;
  const egress = readEgressAllowList();
  if (webhookUrl) {
    if ('error' in egress) delivery.webhook = { ok: false, error: egress.error.message };
    else {
      const sent = await webhookSendHandler({
        input: { url: webhookUrl, payload, secret: signingSecret },
        signal: AbortSignal.timeout(30_000),
        idempotencyKey: key,
        allow: egress.allow,
      });
      delivery.webhook =
        'output' in sent ? { ok: true, status: sent.output.status } : { ok: false, error: sent.error.message };
    }
  }
  if (email) {
    const from = process.env.SMTP_FROM ?? 'Pipewright <pipewright@localhost>';
    const subject = `[Pipewright] ${payload.alert.summary}`;
    const text = `${payload.alert.summary}\n\nAlert ${payload.alert.kind}${payload.alert.workflow ? ` on ${payload.alert.workflow}` : ''}, fired ${payload.alert.firedAt}.\n\n${JSON.stringify(payload.alert.details, null, 2)}\n`;
    const messageId = `<${key.replace(':', '.')}.${randomUUID()}@pipewright>`;
    const smtpUrl = process.env.SMTP_URL;
    try {
      if (smtpUrl) {
        if ('error' in egress) throw new Error(egress.error.message);
        await sendSmtpMessage({
          smtpUrl,
          message: { from, to: [email], subject, text, messageId },
          allow: egress.allow,
          signal: AbortSignal.timeout(60_000),
        });
        delivery.email = { ok: true, via: 'smtp' };
      } else {
        await db
          .insertInto('email_messages')
          .values({
            tenant_id: tenantId,
            idempotency_key: key,
            run_id: null,
            step_path: null,
            message_id: messageId,
            from_address: from,
            to_addresses: [email],
            subject,
            text_body: text,
            html_body: null,
            delivery: 'outbox',
            status: 'kept',
          })
          .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
          .execute();
        delivery.email = { ok: true, via: 'outbox' };
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      getLogger().warn({ tenantId, alertId: payload.alert.id }, `alert email not sent: ${message}`);
      delivery.email = { ok: false, via: smtpUrl ? 'smtp' : 'outbox', error: message };
    }
  }
  return delivery;
}
