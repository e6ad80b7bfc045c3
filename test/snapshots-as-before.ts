import { sql } from 'kysely';
import type { Db } from '@/server/db/database';

/**
 * Moves snapshots out of a run's step records into `run_snapshots` rows, as records stored before
 * migration 20270104000000 hold them (taken at the record's completion), so a test can read a
 * history of old rows, or of both kinds. `only` limits it to some records; returns how many moved.
 */
export async function storeSnapshotsAsBefore(db: Db, runId: string, only?: readonly string[]): Promise<number> {
  const ids = only ?? null;
  const moved = await sql`
    INSERT INTO run_snapshots (step_record_id, run_id, tenant_id, path, snapshot, truncated, size_bytes, created_at)
    SELECT id, run_id, tenant_id, path, snapshot, snapshot_truncated, snapshot_size_bytes, completed_at
      FROM run_steps
     WHERE run_id = ${runId} AND snapshot IS NOT NULL AND (${ids}::uuid[] IS NULL OR id = ANY(${ids}::uuid[]))`.execute(
    db,
  );
  await sql`
    UPDATE run_steps SET snapshot = NULL, snapshot_truncated = NULL, snapshot_size_bytes = NULL
     WHERE run_id = ${runId} AND snapshot IS NOT NULL AND (${ids}::uuid[] IS NULL OR id = ANY(${ids}::uuid[]))`.execute(
    db,
  );
  return Number(moved.numAffectedRows ?? 0);
}

/** The ids of a run's step records that hold their snapshot in the record, in the order they started. */
export async function recordsWithSnapshot(db: Db, runId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('run_steps')
    .select('id')
    .where('run_id', '=', runId)
    .where('snapshot', 'is not', null)
    .orderBy('started_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}
