import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * "Listen for a test event" on a webhook trigger (issue #18): one row per trigger while someone
 * listens, holding the next request received (headers masked, body bounded, the signature
 * check's result). Deleted with the trigger; rows past their window are swept whenever anyone
 * listens or looks, so a captured request is not stored for long.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_listens')
    .addColumn('trigger_id', 'uuid', (c) => c.primaryKey().references('triggers.id').onDelete('cascade'))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('captured_at', 'timestamptz')
    .addColumn('request', 'jsonb')
    .execute();
  await db.schema.createIndex('webhook_listens_expires_idx').on('webhook_listens').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_listens').ifExists().execute();
}
