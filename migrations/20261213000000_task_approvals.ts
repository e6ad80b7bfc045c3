import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Human tasks in depth (SPEC §10): a task's quorum rule, self-approval flag, read-only
 * context and claim; every answer of a task (one per person, so a quorum counts people, not
 * clicks) and its comments, both deleted with the task and so with the run. The audit index
 * finds who started a run (the self-approval check) without scanning a tenant's log. The new
 * columns are nullable (null reads as the default): rows written by older code, or copied in by
 * the replay fixtures, stay valid.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE tasks
    ADD COLUMN approvals jsonb,
    ADD COLUMN allow_self_approval boolean DEFAULT true,
    ADD COLUMN context jsonb,
    ADD COLUMN claimed_by text,
    ADD COLUMN claimed_at timestamptz`.execute(db);
  await sql`CREATE TABLE task_answers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    task_id uuid NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    by text NOT NULL,
    on_behalf_of text,
    outcome text NOT NULL,
    data jsonb NOT NULL DEFAULT '{}',
    at timestamptz NOT NULL DEFAULT now())`.execute(db);
  await sql`CREATE UNIQUE INDEX task_answers_person_idx ON task_answers (task_id, lower(by))`.execute(db);
  await sql`CREATE TABLE task_comments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    task_id uuid NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    author text NOT NULL,
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 5000),
    created_at timestamptz NOT NULL DEFAULT now())`.execute(db);
  await sql`CREATE INDEX task_comments_task_idx ON task_comments (task_id, created_at)`.execute(db);
  await sql`CREATE INDEX tasks_tenant_open_due_idx ON tasks (tenant_id, due_at) WHERE status = 'open'`.execute(db);
  await sql`CREATE INDEX audit_log_run_start_idx ON audit_log (tenant_id, target_id)
    WHERE target_type = 'run' AND action IN ('run.started', 'run.rerun')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS audit_log_run_start_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS tasks_tenant_open_due_idx`.execute(db);
  await sql`DROP TABLE IF EXISTS task_comments`.execute(db);
  await sql`DROP TABLE IF EXISTS task_answers`.execute(db);
  await sql`ALTER TABLE tasks
    DROP COLUMN approvals, DROP COLUMN allow_self_approval, DROP COLUMN context,
    DROP COLUMN claimed_by, DROP COLUMN claimed_at`.execute(db);
}
