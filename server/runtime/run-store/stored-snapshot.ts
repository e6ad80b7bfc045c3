import 'server-only';
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';

/*
 * A step's snapshot (SPEC §5: the redacted envelope after the step) as it is stored.
 * Most of an envelope is the same for every step of a run: the payload (the run's input) and
 * meta's run id, tenant and workflow key. Written into every snapshot they were over a third of
 * a pure step's snapshot bytes, and a payload of some kilobytes was stored once per step. A snapshot
 * whose values equal the run's is stored without them (its meta without `runId`, which a whole
 * snapshot always has), and every reader puts them back from the run row in SQL, so what it
 * returns is the jsonb it returned when they were stored (same keys, same order).
 */

/** The run-wide values a snapshot may leave to the run row (runs.id, tenant_id, workflow_key, input). */
export type TSnapshotRun = { id: string; tenantId: string; workflowKey: string; input: unknown };

type TEnvelopeLike = { payload?: unknown; meta?: Record<string, unknown> } & Record<string, unknown>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What is stored for a snapshot: without meta's runId, tenantId and workflowKey when
 * all three are the run's, and without the payload when it is also the run's input (nothing of
 * it redacted). A truncated snapshot, or one whose values were redacted or masked, is stored
 * whole.
 */
export function storedSnapshot(snapshot: unknown, truncated: boolean, run: TSnapshotRun): unknown {
  if (truncated || !isRecord(snapshot) || !isRecord(snapshot.meta)) return snapshot;
  const { runId, tenantId, workflowKey, ...meta } = snapshot.meta;
  if (runId !== run.id || tenantId !== run.tenantId || workflowKey !== run.workflowKey) return snapshot;
  const { payload, ...rest } = snapshot as TEnvelopeLike;
  const stored: Record<string, unknown> = { ...rest, meta };
  if (!isDeepStrictEqual(payload, run.input)) stored.payload = payload;
  return stored;
}

/*
 * Where a snapshot is: in its step record (`run_steps as r`: snapshot, snapshot_truncated,
 * snapshot_size_bytes) since migration 20270104000000, or, for a record stored before, in its
 * `run_snapshots` row, which every reader left-joins as `s` on `s.step_record_id = r.id`. No
 * record has both, and the rows of before are read where they are (no rewrite of history).
 */

/** The record has a snapshot, in its row or in a run_snapshots row. */
export const hasSnapshot = () => sql<boolean>`(r.snapshot IS NOT NULL OR s.step_record_id IS NOT NULL)`;

/** The snapshot as stored: compacted (storedSnapshot), for a reader that needs only `vars`. */
export const storedSnapshotColumn = () => sql<unknown>`coalesce(r.snapshot, s.snapshot)`;

const truncatedColumn = () => sql<boolean | null>`coalesce(r.snapshot_truncated, s.truncated)`;

/** Whether the snapshot was cut at the size cap (null: the record has none). */
export const snapshotTruncated = () => truncatedColumn().as('truncated');

/** The whole snapshot's size in bytes (null: the record has none). */
export const snapshotSizeBytes = () =>
  sql<number | null>`coalesce(r.snapshot_size_bytes, s.size_bytes)`.as('size_bytes');

/** When it was taken: the run_snapshots row's commit time, or the step's completion for one in its record. */
export const snapshotTakenAt = () => sql<Date>`coalesce(s.created_at, r.completed_at, r.started_at)`.as('created_at');

/**
 * The snapshot as the step took it: what storedSnapshot left to the run put back from `run`
 * (its row: id, workflow_key, input) and `tenantId`, in SQL, so the jsonb a reader gets is the
 * one a whole snapshot gives.
 */
export function snapshotAsTaken(run: { id: string; workflow_key: string; input: unknown }, tenantId: string) {
  const snapshot = storedSnapshotColumn();
  const truncated = truncatedColumn();
  const runMeta = sql`jsonb_build_object('runId', ${run.id}::uuid, 'tenantId', ${tenantId}::uuid, 'workflowKey', ${run.workflow_key}::text)`;
  return sql<unknown>`CASE
    WHEN ${truncated} OR jsonb_typeof(${snapshot}->'meta') IS DISTINCT FROM 'object' OR (${snapshot}->'meta') ? 'runId' THEN ${snapshot}
    ELSE jsonb_build_object('payload', ${JSON.stringify(run.input)}::jsonb) || ${snapshot}
      || jsonb_build_object('meta', ${runMeta} || (${snapshot}->'meta'))
    END`.as('snapshot');
}

/** A snapshot record's own columns (snapshot, truncated, size_bytes, created_at), from either place. */
export function snapshotColumns(run: { id: string; workflow_key: string; input: unknown }, tenantId: string) {
  return [snapshotAsTaken(run, tenantId), snapshotTruncated(), snapshotSizeBytes(), snapshotTakenAt()] as const;
}
