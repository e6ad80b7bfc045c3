import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Delegation (SPEC §10): a person hands the tasks assigned to them (by name) to another member
 * for a date range; one delegation per person and tenant. Answers say "on behalf of".
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE task_delegations (
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    delegate_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id),
    CHECK (ends_at > starts_at),
    CHECK (user_id <> delegate_id))`.execute(db);
  await sql`CREATE INDEX task_delegations_delegate_idx ON task_delegations (tenant_id, delegate_id, ends_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS task_delegations`.execute(db);
}
