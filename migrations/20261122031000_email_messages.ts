import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app. The lists mirror server/email/email-message.ts
// as it was on the day this shipped.
const DELIVERIES = ['outbox', 'smtp'];
const STATUSES = ['sending', 'sent', 'kept'];

const inList = (column: string, values: string[]) => sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(', ')})`);

/**
 * One row per email.send invocation, unique per tenant and idempotency key: the outbox when no
 * SMTP server is configured (with the message), and the record of an SMTP send (without the
 * body) that keeps a retry after a crash from sending twice.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('email_messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('run_id', 'uuid', (c) => c.references('runs.id').onDelete('set null'))
    .addColumn('step_path', 'text')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('to_addresses', sql`text[]`, (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text')
    .addColumn('html_body', 'text')
    .addColumn('delivery', 'text', (c) => c.notNull().check(inList('delivery', DELIVERIES)))
    .addColumn('status', 'text', (c) => c.notNull().check(inList('status', STATUSES)))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addUniqueConstraint('email_messages_key_unique', ['tenant_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('email_messages_tenant_created_idx').on('email_messages').columns(['tenant_id', 'created_at desc']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('email_messages').ifExists().execute();
}
