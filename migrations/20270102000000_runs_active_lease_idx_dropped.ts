import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * `runs_active_lease_idx` (lease expiry of RUNNING runs) has had no reader since the reaper's
 * look for expired leases went through `runs_leased_idx` (any leased run, whatever its status):
 * no statement of the app filters RUNNING runs by `lease_expires_at`. It still cost every
 * non-HOT write of a RUNNING run an index entry: a durable run's first commit and each lease
 * renewal (every 2 s per held run).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS runs_active_lease_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS runs_active_lease_idx ON runs (lease_expires_at) WHERE status IN ('RUNNING')`.execute(
    db,
  );
}
