import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * An SMTP send's claim: which attempt is sending the message (`claim_owner`, a token of that
 * attempt) and until when (`claim_expires_at`, the SMTP timeout plus a margin after the claim).
 * A row merely `sending` used to invite every attempt to send, so two attempts of one
 * invocation running at once (a worker frozen past its lease and its successor) both sent.
 * A claim exists only while the row is `sending`, owner and expiry together.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE email_messages
      ADD COLUMN claim_owner uuid,
      ADD COLUMN claim_expires_at timestamptz,
      ADD CONSTRAINT email_messages_claim_check
        CHECK ((claim_owner IS NULL) = (claim_expires_at IS NULL) AND (claim_owner IS NULL OR status = 'sending'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE email_messages DROP CONSTRAINT email_messages_claim_check, DROP COLUMN claim_expires_at, DROP COLUMN claim_owner`.execute(db);
}
