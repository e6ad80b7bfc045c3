import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { findRunRow, ZRunId } from '@/server/runs/run-record';
import { hasSnapshot, snapshotColumns } from '@/server/runtime/run-store/stored-snapshot';
import {
  afterStepOrderKey,
  decodeStepOrderCursor,
  encodeStepOrderCursor,
  startedAtKey,
  stepPageQuery,
} from '@/server/runs/step-order-cursor';

/** Pages of snapshots: each may be up to SNAPSHOT_MAX_BYTES (64 KiB), so 200 a page at most (~12 MiB). */
export const ZRunSnapshotsPage = stepPageQuery({ max: 200, fallback: 50 });
export const ZListRunSnapshots = ZRunSnapshotsPage.extend({ id: ZRunId });

/** The redacted envelope after one step attempt; `truncated` says it was cut at the size cap. */
export const ZSnapshotRecord = z.object({
  stepRecordId: z.string(),
  stepId: z.string(),
  path: z.string(),
  attempt: z.number().int(),
  snapshot: z.unknown(),
  truncated: z.boolean(),
  sizeBytes: z.number().int(),
  createdAt: z.string(),
});
export type TSnapshotRecord = z.infer<typeof ZSnapshotRecord>;

/** A snapshot row as the API returns it (a row of list-run-snapshots' or get-step-snapshot's SELECT). */
export function toSnapshotRecord(row: {
  step_record_id: string;
  step_id: string;
  path: string;
  attempt: number;
  snapshot: unknown;
  truncated: boolean | null;
  size_bytes: number | null;
  created_at: Date;
}): TSnapshotRecord {
  return {
    stepRecordId: row.step_record_id,
    stepId: row.step_id,
    path: row.path,
    attempt: row.attempt,
    snapshot: row.snapshot,
    truncated: row.truncated ?? false,
    sizeBytes: row.size_bytes ?? 0,
    createdAt: row.created_at.toISOString(),
  };
}

/** A page of a run's snapshots in step order (the order of GET /runs/{id}/steps), each with the step it was taken after. */
export async function listRunSnapshots({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: z.input<typeof ZListRunSnapshots>;
}): Promise<{ items: TSnapshotRecord[]; nextCursor: string | null }> {
  assertAllowed(ctx, 'run.read');
  const { id, limit, cursor } = ZListRunSnapshots.parse(input);
  const after = decodeStepOrderCursor(cursor);
  const run = await findRunRow(db, ctx.tenantId, id);
  // A record's snapshot is in its row, or in a run_snapshots row for one stored before (stored-snapshot.ts).
  let query = db
    .selectFrom('run_steps as r')
    .leftJoin('run_snapshots as s', 's.step_record_id', 'r.id')
    .select(['r.id as step_record_id', 'r.step_id', 'r.path', 'r.attempt', ...snapshotColumns(run, ctx.tenantId)])
    .select(startedAtKey('r.started_at').as('started_key'))
    .where('r.run_id', '=', run.id)
    .where(hasSnapshot());
  if (after) query = query.where(afterStepOrderKey('r.', after));
  const rows = await query
    .orderBy('r.started_at')
    .orderBy('r.path')
    .orderBy('r.attempt')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toSnapshotRecord),
    nextCursor:
      rows.length > limit && last
        ? encodeStepOrderCursor({ startedAt: last.started_key, attempt: last.attempt, path: last.path })
        : null,
  };
}
