import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * One-click email links (SPEC §10, `notify: true`): one row per link, bound to a task, one of
 * its outcomes and one person. Only the SHA-256 of the token is kept; `used_at` makes a link
 * single-use. Links go with their task (and so with its run).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE task_links (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    task_id uuid NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    outcome text NOT NULL,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at timestamptz,
    CHECK (length(token_hash) = 64))`.execute(db);
  await sql`CREATE INDEX task_links_task_idx ON task_links (task_id, user_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS task_links`.execute(db);
}
