import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * A step's snapshot is stored in its own `run_steps` row (issue #16). Every step wrote a
 * `run_snapshots` row beside its record: one more heap tuple and two more B-tree entries
 * (`run_snapshots_pkey`, `run_snapshots_run_idx`) per step, for a row whose key is the record's.
 * New records carry the snapshot in `snapshot`, with `snapshot_truncated` and
 * `snapshot_size_bytes` beside it (all three NULL for a record without one). Nullable columns
 * without a default are added without rewriting the table, and the rows already in
 * `run_snapshots` stay where they are: readers take the column when it is set, else that row.
 *
 * Down moves the column's snapshots into `run_snapshots` (taken at the record's completion) before
 * dropping the columns, so no snapshot is lost either way.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE run_steps
      ADD COLUMN snapshot jsonb,
      ADD COLUMN snapshot_truncated boolean,
      ADD COLUMN snapshot_size_bytes int`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    INSERT INTO run_snapshots (step_record_id, run_id, tenant_id, path, snapshot, truncated, size_bytes, created_at)
    SELECT id, run_id, tenant_id, path, snapshot, snapshot_truncated, snapshot_size_bytes, coalesce(completed_at, started_at)
      FROM run_steps WHERE snapshot IS NOT NULL
    ON CONFLICT (step_record_id) DO NOTHING`.execute(db);
  await sql`
    ALTER TABLE run_steps
      DROP COLUMN snapshot,
      DROP COLUMN snapshot_truncated,
      DROP COLUMN snapshot_size_bytes`.execute(db);
}
