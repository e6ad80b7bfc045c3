import 'server-only';
import { recordLedgerEntry } from '@/server/runtime/run-store/ledger';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';

type TSmtpSendKey = { db: Db; tenantId: string; idempotencyKey: string };

/**
 * What an attempt may do with an SMTP send: `claimed` (it alone sends, as `owner`, until the
 * claim runs out), `done` (sent, or kept in the outbox: never send it again) or `busy` (another
 * attempt holds a live claim and may be sending it right now; come back in `retryAfterMs`).
 */
export type TSmtpClaim =
  | { kind: 'claimed'; owner: string; messageId: string }
  | { kind: 'done'; messageId: string }
  | { kind: 'busy'; messageId: string; retryAfterMs: number };

/**
 * Claims an SMTP send for one attempt → what that attempt may do (TSmtpClaim). The row is
 * created `sending` with this attempt's claim, or, when it exists, the claim is taken in one
 * conditional update: only while the row is still `sending` and no live claim is on it (none
 * yet, or one that ran out: its owner died or froze, and its call counts as in flight at a
 * crash, SPEC §7.4). Two attempts running at once (a worker frozen past its lease and its
 * successor, or retries racing) thus never both send. Expiry is by the database's clock, the
 * same for every worker; `claimMs` must outlast the owner's whole send (the SMTP timeout plus
 * a margin), and the owner must not start sending once that time has passed by its own clock.
 */
export async function claimSmtpSend({
  db,
  tenantId,
  idempotencyKey,
  runId,
  stepPath,
  messageId,
  from,
  to,
  subject,
  claimMs,
}: TSmtpSendKey & {
  runId: string;
  stepPath: string;
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  claimMs: number;
}): Promise<TSmtpClaim> {
  const owner = randomUUID();
  const expiresAt = sql<Date>`now() + make_interval(secs => ${claimMs / 1000})`;
  let messageIdOnRow = messageId;
  // A claim released or run out between the two statements is worth another try, not a refusal.
  for (let tries = 0; tries < 3; tries += 1) {
    const claimed = await db
      .insertInto('email_messages')
      .values({
        tenant_id: tenantId,
        idempotency_key: idempotencyKey,
        run_id: runId,
        step_path: stepPath,
        message_id: messageId,
        from_address: from,
        to_addresses: to,
        subject,
        delivery: 'smtp',
        status: 'sending',
        claim_owner: owner,
        claim_expires_at: expiresAt,
      })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'idempotency_key'])
          .doUpdateSet({ claim_owner: owner, claim_expires_at: expiresAt })
          .where('email_messages.status', '=', 'sending')
          .where((eb) =>
            eb.or([
              eb('email_messages.claim_expires_at', 'is', null),
              eb('email_messages.claim_expires_at', '<=', sql<Date>`now()`),
            ]),
          ),
      )
      .returning('message_id')
      .executeTakeFirst();
    if (claimed) return { kind: 'claimed', owner, messageId: claimed.message_id };
    const row = await db
      .selectFrom('email_messages')
      .select([
        'status',
        'message_id',
        sql<number | null>`ceil(extract(epoch FROM claim_expires_at - now()) * 1000)::int`.as('claim_left_ms'),
      ])
      .where('tenant_id', '=', tenantId)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirstOrThrow();
    if (row.status !== 'sending') return { kind: 'done', messageId: row.message_id };
    if (row.claim_left_ms !== null && row.claim_left_ms > 0)
      return { kind: 'busy', messageId: row.message_id, retryAfterMs: row.claim_left_ms };
    messageIdOnRow = row.message_id;
  }
  // Claims taken and given up faster than our round trips: someone is busy with it all the same.
  return { kind: 'busy', messageId: messageIdOnRow, retryAfterMs: 0 };
}

/**
 * Records that the SMTP server accepted the message, together with the action's ledger row,
 * right after the server's answer: a retry from here on finds it and sends nothing → whether
 * it was recorded.
 *
 * Only the claim's owner records. An owner whose claim ran out but was not taken over still
 * does: nobody else can be sending, since taking the claim replaces the owner first (and the
 * two updates serialize on the row). An owner whose claim was taken over records nothing
 * (→ false): its message did go out (the one duplicate SPEC §7.4 allows, for a call in flight
 * when its sender stalled), but the row now belongs to an attempt that may be sending at this
 * moment; marking it `sent` or clearing the claim would let a third attempt send beside it,
 * and the new owner's own confirm or failure is what the row should say. Both copies carry the
 * same Message-ID.
 */
export async function confirmSmtpSend({
  db,
  tenantId,
  idempotencyKey,
  owner,
  runId,
  stepPath,
  messageId,
}: TSmtpSendKey & { owner: string; runId: string; stepPath: string; messageId: string }): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const confirmed = await tx
      .updateTable('email_messages')
      .set({ status: 'sent', sent_at: sql<Date>`now()`, last_error: null, claim_owner: null, claim_expires_at: null })
      .where('tenant_id', '=', tenantId)
      .where('idempotency_key', '=', idempotencyKey)
      .where('status', '=', 'sending')
      .where('claim_owner', '=', owner)
      .executeTakeFirst();
    if (confirmed.numUpdatedRows === 0n) return false;
    await recordLedgerEntry(tx, {
      tenantId,
      action: 'email.send',
      version: 1,
      idempotencyKey,
      runId,
      stepPath,
      output: { messageId },
    });
    return true;
  });
}

/**
 * Keeps the last failure on the row (for operators) and ends the owner's claim → whether it
 * was still the owner's. The row stays `sending`, so a retry sends, at once: the failed
 * attempt's connection is closed, it is sending nothing any more. A stale owner's failure
 * changes nothing, for the reason confirmSmtpSend gives.
 */
export async function noteSmtpFailure({
  db,
  tenantId,
  idempotencyKey,
  owner,
  message,
}: TSmtpSendKey & { owner: string; message: string }): Promise<boolean> {
  const noted = await db
    .updateTable('email_messages')
    .set({ last_error: message.slice(0, 2000), claim_owner: null, claim_expires_at: null })
    .where('tenant_id', '=', tenantId)
    .where('idempotency_key', '=', idempotencyKey)
    .where('status', '=', 'sending')
    .where('claim_owner', '=', owner)
    .executeTakeFirst();
  return noted.numUpdatedRows > 0n;
}
