import 'server-only';
import { sql, type RawBuilder } from 'kysely';
import { AppError } from '@/model/errors';
import type { TBatch, TSnapshotDraft } from '@/server/runtime/run-store/commit-statement';
import { fromBatch } from '@/server/runtime/run-store/batch-parameter';

/*
 * A commit's step records: the `s` CTE inserting new ones, the `u` CTE finishing earlier ones.
 * A step's snapshot is stored in its record (run_steps.snapshot, migration 20270104000000), so it
 * rides on whichever of the two writes the record's final status: a pure step's insert, or a
 * durable step's update after its call. A separate run_snapshots row cost each step one more
 * heap tuple and two more B-tree entries.
 */

/**
 * One JSON array of rows for jsonb_to_recordset: JSON.stringify of each row, byte for byte, with
 * its record's snapshot put in as `snapshot`, `snapshot_truncated`, `snapshot_size_bytes`. A
 * snapshot is made JSON once, as the step ends (its size is measured on that text), and goes in
 * as that text: kept as objects until the commit, every pending step's copy of the envelope was
 * live through the pass and the commit's round trip.
 */
export function stepRowsJson(rows: ReadonlyArray<{ id: string }>, snapshots: ReadonlyMap<string, TSnapshotDraft>) {
  const texts = rows.map((row) => {
    const text = JSON.stringify(row);
    const snapshot = snapshots.get(row.id);
    if (!snapshot) return text;
    const fields = `"snapshot":${snapshot.json},"snapshot_truncated":${snapshot.truncated},"snapshot_size_bytes":${snapshot.sizeBytes}`;
    return `${text.slice(0, -1)},${fields}}`;
  });
  return `[${texts.join(',')}]`;
}

/** The snapshots of a batch by record id; each must be of a record the batch inserts or updates. */
export function snapshotsByRecord(batch: TBatch): Map<string, TSnapshotDraft> {
  const written = new Set([...batch.inserts.map((d) => d.id), ...batch.updates.map(([id]) => id)]);
  const byRecord = new Map<string, TSnapshotDraft>();
  for (const snapshot of batch.snapshots) {
    // The interpreter takes a step's snapshot in the same synchronous stretch as the record's
    // final write, so both are in one batch; one without its record would be lost.
    if (!written.has(snapshot.stepRecordId)) {
      throw new AppError(
        'INTERNAL',
        `Snapshot of step record ${snapshot.stepRecordId} without its record in the batch.`,
      );
    }
    byRecord.set(snapshot.stepRecordId, snapshot);
  }
  return byRecord;
}

const insertRows = (batch: TBatch) =>
  batch.inserts.map((d) => ({
    id: d.id,
    step_id: d.stepId,
    path: d.path,
    type: d.type,
    attempt: d.attempt,
    status: d.status,
    input: d.input ?? null,
    output: d.output ?? null,
    error: d.error ?? null,
    started_at: d.startedAt.toISOString(),
    completed_at: d.completedAt?.toISOString() ?? null,
    duration_ms: d.completedAt ? d.completedAt.getTime() - d.startedAt.getTime() : null,
  }));

const updateRows = (batch: TBatch) =>
  batch.updates.map(([id, d]) => ({
    id,
    status: d.status,
    has_input: 'input' in d,
    input: d.input ?? null,
    has_output: 'output' in d,
    output: d.output ?? null,
    has_error: 'error' in d,
    error: d.error ?? null,
    completed_at: d.completedAt?.toISOString() ?? null,
  }));

/**
 * The batch's step record CTEs (`s` inserts, `u` updates), each fed by one JSON parameter; for
 * its shape (whether it inserts, how many records it updates), the values read from each batch.
 */
export function stepRecordCtes(batch: TBatch): RawBuilder<unknown>[] {
  const runId = fromBatch((c) => c.batch.run.id);
  const ctes: RawBuilder<unknown>[] = [];
  if (batch.inserts.length) {
    ctes.push(sql`s AS (
      INSERT INTO run_steps (id, run_id, tenant_id, step_id, path, type, attempt, status, input, output, error, started_at, completed_at, duration_ms, snapshot, snapshot_truncated, snapshot_size_bytes)
      SELECT x.id, ${runId}, ${fromBatch((c) => c.batch.run.tenantId)}, x.step_id, x.path, x.type, x.attempt, x.status, x.input, x.output, x.error, x.started_at, x.completed_at, x.duration_ms, x.snapshot, x.snapshot_truncated, x.snapshot_size_bytes
        FROM r, jsonb_to_recordset(${fromBatch((c) => stepRowsJson(insertRows(c.batch), c.snapshots))}::jsonb)
          AS x(id uuid, step_id text, path text, type text, attempt int, status text, input jsonb, output jsonb, error jsonb, started_at timestamptz, completed_at timestamptz, duration_ms int, snapshot jsonb, snapshot_truncated boolean, snapshot_size_bytes int))`);
  }
  if (batch.updates.length) {
    // Found by id. Joined with the rows alone, the planner took the run's records by run_id and
    // hash-joined them (every record of the run read on every commit, O(steps²) per run) whenever
    // it thought the run had few: fresh or no statistics, and the prepared commit's generic plan.
    // The run check stays, as IS NOT DISTINCT FROM (the same for a NOT NULL column), which no
    // index can serve, so the ids are the only way in. They are one parameter each (a shape per
    // count, like the rest of the text): `= ANY(array)` made the generic plan look dearer than the
    // custom ones, so PostgreSQL planned the prepared commit again on every execution.
    // A row without a snapshot keeps the record's (none, for a RUNNING record).
    const ids = sql.join(batch.updates.map((_, i) => sql`${fromBatch((c) => c.batch.updates[i]![0])}::uuid`));
    ctes.push(sql`u AS (
      UPDATE run_steps t SET
        status = x.status,
        input = CASE WHEN x.has_input THEN x.input ELSE t.input END,
        output = CASE WHEN x.has_output THEN x.output ELSE t.output END,
        error = CASE WHEN x.has_error THEN x.error ELSE t.error END,
        completed_at = coalesce(x.completed_at, t.completed_at),
        duration_ms = CASE WHEN x.completed_at IS NULL THEN t.duration_ms ELSE (extract(epoch from (x.completed_at - t.started_at)) * 1000)::int END,
        snapshot = coalesce(x.snapshot, t.snapshot),
        snapshot_truncated = coalesce(x.snapshot_truncated, t.snapshot_truncated),
        snapshot_size_bytes = coalesce(x.snapshot_size_bytes, t.snapshot_size_bytes)
        FROM r, jsonb_to_recordset(${fromBatch((c) => stepRowsJson(updateRows(c.batch), c.snapshots))}::jsonb)
          AS x(id uuid, status text, has_input boolean, input jsonb, has_output boolean, output jsonb, has_error boolean, error jsonb, completed_at timestamptz, snapshot jsonb, snapshot_truncated boolean, snapshot_size_bytes int)
       WHERE t.id IN (${ids}) AND x.id = t.id AND t.run_id IS NOT DISTINCT FROM ${runId}::uuid)`);
  }
  return ctes;
}
