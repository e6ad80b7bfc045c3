import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Issue #15: a signed webhook request is accepted once. Each accepted signature is kept per
 * trigger until its timestamp leaves the 300 s window (after that the signature check refuses
 * it anyway); the primary key makes two identical requests at the same instant start at most
 * one run: the second insert waits for the first transaction and then finds the row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_signatures_seen')
    .addColumn('trigger_id', 'uuid', (c) => c.notNull().references('triggers.id').onDelete('cascade'))
    // The v1 value that matched: hex HMAC-SHA256 of "t.body", so it names one timestamp and body.
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('webhook_signatures_seen_pkey', ['trigger_id', 'signature'])
    .execute();
  await db.schema.createIndex('webhook_signatures_seen_expiry_idx').on('webhook_signatures_seen').columns(['trigger_id', 'expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_signatures_seen').execute();
}
