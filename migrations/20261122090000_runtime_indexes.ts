import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Indexes for the worker's hot paths:
 * - the ledger read at claim time: every completed invocation whose key starts with the run's
 *   id (the default key is `runId:stepPath`), in one index range scan;
 * - the reaper's scan for expired leases, whatever the run's status (QUEUED, RUNNING and
 *   WAITING runs can all hold a lease; the runtime migration's index covered RUNNING only).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX action_invocations_key_prefix_idx ON action_invocations (tenant_id, idempotency_key text_pattern_ops)`.execute(db);
  await sql`CREATE INDEX runs_leased_idx ON runs (lease_expires_at) WHERE lease_owner IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS runs_leased_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS action_invocations_key_prefix_idx`.execute(db);
}
