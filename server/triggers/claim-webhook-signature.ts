import 'server-only';
import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import { SIGNATURE_TOLERANCE_SECONDS } from '@/model/webhook-signature';

/**
 * Marks a verified webhook signature as used, inside the transaction that starts its run.
 * Returns false when the trigger already accepted this signature within the window: the
 * request is a replay. Race-safe by the primary key (trigger, signature), not by a read: of
 * two identical requests at once, the second insert waits for the first transaction and then
 * finds its row (or, if that one rolled back, takes the signature itself). A signature is
 * kept until its timestamp is more than 300 s old, when the signature check refuses it on its
 * own; the trigger's expired rows are deleted here, so the table holds at most a window's worth.
 */
export async function claimWebhookSignature({
  tx,
  triggerId,
  signature,
  timestamp,
}: {
  tx: Tx;
  triggerId: string;
  signature: string;
  timestamp: number;
}): Promise<boolean> {
  await tx
    .deleteFrom('webhook_signatures_seen')
    .where('trigger_id', '=', triggerId)
    .where('expires_at', '<', sql<Date>`now()`)
    .execute();
  const claimed = await tx
    .insertInto('webhook_signatures_seen')
    .values({
      trigger_id: triggerId,
      signature,
      expires_at: new Date((timestamp + SIGNATURE_TOLERANCE_SECONDS) * 1000),
    })
    .onConflict((oc) => oc.columns(['trigger_id', 'signature']).doNothing())
    .returning('signature')
    .executeTakeFirst();
  return claimed !== undefined;
}
