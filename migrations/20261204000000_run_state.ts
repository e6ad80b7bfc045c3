import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Run state under concurrency (SPEC §7):
 * - `events.xact_id`: the transaction that stored the event. A wait being committed matches
 *   events its own snapshot could not see when it began (delivered while it was being created),
 *   which a timestamp cannot tell: an event's `received_at` is its transaction's start.
 * - `runs.paused_from`: the status an operator paused a run from. A run paused while QUEUED
 *   (held by its workflow's limits, or not yet claimed) holds no slot, and resumes to QUEUED.
 * - Indexes for the hot paths that scanned: a child's finish finds the parent's wait by
 *   `child_run_id`; admission counts a workflow's active and recently started runs; the reaper
 *   looks for runnable runs nobody holds (expired leases have runs_leased_idx).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE events ADD COLUMN xact_id xid8 DEFAULT pg_current_xact_id()`.execute(db);
  await sql`ALTER TABLE runs ADD COLUMN paused_from text`.execute(db);
  await sql`CREATE INDEX run_waits_child_idx ON run_waits (child_run_id) WHERE child_run_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX runs_active_idx ON runs (workflow_id) WHERE status IN ('RUNNING', 'WAITING', 'PAUSED')`.execute(db);
  await sql`CREATE INDEX runs_started_idx ON runs (workflow_id, started_at) WHERE started_at IS NOT NULL`.execute(db);
  await sql`CREATE INDEX runs_unleased_runnable_idx ON runs (updated_at) WHERE lease_owner IS NULL AND status IN ('QUEUED', 'RUNNING')`.execute(db);
  await sql`CREATE INDEX runs_cancel_requested_idx ON runs (updated_at) WHERE cancel_requested`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX runs_cancel_requested_idx`.execute(db);
  await sql`DROP INDEX runs_unleased_runnable_idx`.execute(db);
  await sql`DROP INDEX runs_started_idx`.execute(db);
  await sql`DROP INDEX runs_active_idx`.execute(db);
  await sql`DROP INDEX run_waits_child_idx`.execute(db);
  await sql`ALTER TABLE runs DROP COLUMN paused_from`.execute(db);
  await sql`ALTER TABLE events DROP COLUMN xact_id`.execute(db);
}
