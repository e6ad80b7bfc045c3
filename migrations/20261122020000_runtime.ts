import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app. The status lists mirror
// server/runtime/run-status.ts as it was on the day this shipped.
const RUN_STATUSES = ['QUEUED', 'RUNNING', 'WAITING', 'PAUSED', 'SUCCEEDED', 'FAILED', 'CANCELED'];
const STEP_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'WAITING', 'SKIPPED', 'CANCELED'];
const WAIT_KINDS = ['event', 'timer', 'task', 'child', 'retry'];
const WAIT_STATUSES = ['open', 'resolved', 'expired', 'canceled'];

/** A partial index's predicate, written as SQL. */
const predicate = (text: string) => sql<boolean>`${sql.raw(text)}`;
const inList = (column: string, values: string[]) => sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(', ')})`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('runs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('workflow_id', 'uuid', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
    .addColumn('workflow_key', 'text', (c) => c.notNull())
    .addColumn('version_id', 'uuid', (c) => c.notNull().references('workflow_versions.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('state', 'text')
    .addColumn('input', 'jsonb', (c) => c.notNull())
    .addColumn('output', 'jsonb')
    .addColumn('error', 'jsonb')
    .addColumn('trigger', 'jsonb', (c) => c.notNull())
    .addColumn('parent_run_id', 'uuid', (c) => c.references('runs.id').onDelete('set null'))
    .addColumn('parent_step_path', 'text')
    .addColumn('idempotency_key', 'text')
    // The interpreter's position and the working state, written together after each step.
    .addColumn('execution', 'jsonb', (c) => c.notNull())
    .addColumn('event_seq', 'integer', (c) => c.notNull().defaultTo(0))
    // Lease: one worker advances a run at a time; every write names the fence it holds.
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'timestamptz')
    .addColumn('fence', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('recoveries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pause_requested', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('cancel_requested', 'boolean', (c) => c.notNull().defaultTo(false))
    // Set (under the row lock) by whoever resolves a wait of this run. A worker releasing the
    // run checks it in the same statement, so a wake-up that lands while it is suspending the
    // run is never lost.
    .addColumn('wake_requested', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('runs_status_check', inList('status', RUN_STATUSES))
    .execute();
  await db.schema.createIndex('runs_tenant_created_idx').on('runs').columns(['tenant_id', 'created_at desc', 'id desc']).execute();
  await db.schema.createIndex('runs_workflow_created_idx').on('runs').columns(['workflow_id', 'created_at desc']).execute();
  await db.schema.createIndex('runs_parent_idx').on('runs').column('parent_run_id').where(sql.ref('parent_run_id'), 'is not', null).execute();
  // Runs a worker holds or should hold: the reaper scans these for expired leases.
  await db.schema.createIndex('runs_active_lease_idx').on('runs').column('lease_expires_at').where(predicate(`status IN ('RUNNING')`)).execute();
  await db.schema.createIndex('runs_queued_idx').on('runs').columns(['workflow_id', 'created_at']).where(predicate(`status = 'QUEUED'`)).execute();
  await db.schema.createIndex('runs_idempotency_key').on('runs').columns(['tenant_id', 'workflow_id', 'idempotency_key']).unique().where(sql.ref('idempotency_key'), 'is not', null).execute();

  await db.schema
    .createTable('run_steps')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('input', 'jsonb')
    .addColumn('output', 'jsonb')
    .addColumn('error', 'jsonb')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .addColumn('duration_ms', 'integer')
    .addCheckConstraint('run_steps_status_check', inList('status', STEP_STATUSES))
    .execute();
  await db.schema.createIndex('run_steps_run_idx').on('run_steps').columns(['run_id', 'started_at']).execute();
  await db.schema.createIndex('run_steps_attempt_key').on('run_steps').columns(['run_id', 'path', 'attempt']).unique().execute();
  // The durability invariant, enforced by the database: a step path succeeds at most once.
  await db.schema.createIndex('run_steps_one_success_key').on('run_steps').columns(['run_id', 'path']).unique().where(predicate(`status = 'SUCCEEDED'`)).execute();

  await db.schema
    .createTable('run_events')
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('step_id', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addPrimaryKeyConstraint('run_events_pkey', ['run_id', 'seq'])
    .addCheckConstraint('run_events_seq_positive', sql`seq >= 1`)
    .execute();

  await db.schema
    .createTable('run_snapshots')
    .addColumn('step_record_id', 'uuid', (c) => c.primaryKey().references('run_steps.id').onDelete('cascade'))
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .addColumn('truncated', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('run_snapshots_run_idx').on('run_snapshots').columns(['run_id', 'created_at']).execute();

  await db.schema
    .createTable('run_waits')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('step_path', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('event', 'text')
    .addColumn('correlation_key', 'text')
    .addColumn('resume_at', 'timestamptz')
    .addColumn('child_run_id', 'uuid')
    .addColumn('payload', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('resolved_at', 'timestamptz')
    .addCheckConstraint('run_waits_kind_check', inList('kind', WAIT_KINDS))
    .addCheckConstraint('run_waits_status_check', inList('status', WAIT_STATUSES))
    .execute();
  await db.schema.createIndex('run_waits_run_idx').on('run_waits').columns(['run_id', 'status']).execute();
  await db.schema.createIndex('run_waits_event_idx').on('run_waits').columns(['tenant_id', 'event', 'correlation_key']).where(predicate(`status = 'open' AND kind = 'event'`)).execute();
  await db.schema.createIndex('run_waits_timer_idx').on('run_waits').column('resume_at').where(predicate(`status = 'open' AND resume_at IS NOT NULL`)).execute();
  // One open wait per step path: a resumed run can never wait twice on the same step.
  await db.schema.createIndex('run_waits_open_step_key').on('run_waits').columns(['run_id', 'step_path']).unique().where(predicate(`status = 'open'`)).execute();

  await db.schema
    .createTable('action_invocations')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('run_id', 'uuid')
    .addColumn('step_path', 'text')
    .addColumn('output', 'jsonb')
    .addColumn('completed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('action_invocations_pkey', ['tenant_id', 'action', 'version', 'idempotency_key'])
    .execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('wait_id', 'uuid', (c) => c.notNull().references('run_waits.id').onDelete('cascade'))
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('step_path', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('form', 'jsonb', (c) => c.notNull())
    .addColumn('outcomes', sql`text[]`, (c) => c.notNull())
    .addColumn('assignee', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('due_at', 'timestamptz')
    .addColumn('outcome', 'text')
    .addColumn('data', 'jsonb')
    .addColumn('completed_by', 'text')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('tasks_status_check', sql`status IN ('open', 'completed', 'canceled', 'expired')`)
    .execute();
  await db.schema.createIndex('tasks_tenant_open_idx').on('tasks').columns(['tenant_id', 'created_at desc']).where(predicate(`status = 'open'`)).execute();
  await db.schema.createIndex('tasks_run_idx').on('tasks').column('run_id').execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('correlation_key', 'text')
    .addColumn('payload', 'jsonb')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('resumed', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'::uuid[]`))
    .addColumn('started', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'::uuid[]`))
    .execute();
  await db.schema.createIndex('events_lookup_idx').on('events').columns(['tenant_id', 'event', 'correlation_key', 'received_at desc']).execute();
  await db.schema.createIndex('events_tenant_received_idx').on('events').columns(['tenant_id', 'received_at desc']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['events', 'tasks', 'action_invocations', 'run_waits', 'run_snapshots', 'run_events', 'run_steps', 'runs']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
