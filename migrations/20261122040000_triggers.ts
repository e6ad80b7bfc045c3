import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app. The lists mirror
// server/workflows/definition/trigger-config.ts and server/triggers/trigger-record.ts as they
// were on the day this shipped.
const TRIGGER_TYPES = ['manual', 'webhook', 'schedule', 'event'];
const FIRING_OUTCOMES = ['started', 'duplicate', 'rejected', 'failed'];

const inList = (column: string, values: string[]) => sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(', ')})`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('triggers')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('workflow_id', 'uuid', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('config', 'jsonb', (c) => c.notNull())
    // A pinned published version; null starts the latest.
    .addColumn('version', 'integer')
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    // Webhooks: the token is looked up by its SHA-256 and kept sealed (AES-256-GCM under
    // PIPEWRIGHT_SECRET_KEY) so the URL can be shown again to the people who manage it.
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('token_ciphertext', 'bytea')
    .addColumn('token_iv', 'bytea')
    .addColumn('token_tag', 'bytea')
    // Event triggers: the event name, for the lookup on every delivered event.
    .addColumn('event', 'text')
    // Schedules: the newest slot fired, so a late tick can still fire the slot it missed.
    .addColumn('last_slot', 'timestamptz')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_fired_at', 'timestamptz')
    .addCheckConstraint('triggers_type_check', inList('type', TRIGGER_TYPES))
    .addCheckConstraint('triggers_webhook_token', sql`(type = 'webhook') = (token_hash IS NOT NULL)`)
    .addCheckConstraint('triggers_event_name', sql`(type = 'event') = (event IS NOT NULL)`)
    .execute();
  await db.schema.createIndex('triggers_workflow_idx').on('triggers').columns(['tenant_id', 'workflow_id', 'created_at']).execute();
  await db.schema.createIndex('triggers_event_idx').on('triggers').columns(['tenant_id', 'event']).where(sql.ref('type'), '=', 'event').execute();

  await db.schema
    .createTable('trigger_firings')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('trigger_id', 'uuid', (c) => c.notNull().references('triggers.id').onDelete('cascade'))
    .addColumn('fired_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('run_id', 'uuid', (c) => c.references('runs.id').onDelete('set null'))
    .addColumn('message', 'text')
    // Schedules: the fire time this firing is for; unique, so two workers cannot both fire it.
    .addColumn('slot', 'timestamptz')
    .addColumn('event_id', 'uuid', (c) => c.references('events.id').onDelete('set null'))
    .addCheckConstraint('trigger_firings_outcome_check', inList('outcome', FIRING_OUTCOMES))
    .addUniqueConstraint('trigger_firings_slot_unique', ['trigger_id', 'slot'])
    .execute();
  await db.schema.createIndex('trigger_firings_trigger_idx').on('trigger_firings').columns(['trigger_id', 'fired_at desc']).execute();

  // Webhook rate limit: one row per trigger and minute, counted with an upsert, so the limit
  // holds across any number of web processes.
  await db.schema
    .createTable('trigger_rate_windows')
    .addColumn('trigger_id', 'uuid', (c) => c.notNull().references('triggers.id').onDelete('cascade'))
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('trigger_rate_windows_pkey', ['trigger_id', 'window_start'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['trigger_rate_windows', 'trigger_firings', 'triggers']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
