import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { findRunRow, ZRunId } from '@/server/runs/run-record';

export const ZListRunSnapshots = z.object({ id: ZRunId });

/** The redacted envelope after one step attempt; `truncated` says it was cut at the size cap. */
export const ZSnapshotRecord = z.object({ stepRecordId: z.string(), stepId: z.string(), path: z.string(), attempt: z.number().int(), snapshot: z.unknown(), truncated: z.boolean(), sizeBytes: z.number().int(), createdAt: z.string() });
export type TSnapshotRecord = z.infer<typeof ZSnapshotRecord>;

/** A run's snapshots in step order, each with the step it was taken after. */
export async function listRunSnapshots({ db, ctx, input }: { db: DbOrTx; ctx: TAuthContext; input: z.infer<typeof ZListRunSnapshots> }): Promise<{ items: TSnapshotRecord[] }> {
  assertAllowed(ctx, 'run.read');
  const run = await findRunRow(db, ctx.tenantId, input.id);
  const rows = await db
    .selectFrom('run_snapshots as s')
    .innerJoin('run_steps as r', 'r.id', 's.step_record_id')
    .select(['s.step_record_id', 'r.step_id', 's.path', 'r.attempt', 's.snapshot', 's.truncated', 's.size_bytes', 's.created_at'])
    .where('s.run_id', '=', run.id)
    .orderBy('r.started_at')
    .orderBy('r.path')
    .execute();
  return {
    items: rows.map((row) => ({ stepRecordId: row.step_record_id, stepId: row.step_id, path: row.path, attempt: row.attempt, snapshot: row.snapshot, truncated: row.truncated, sizeBytes: row.size_bytes, createdAt: row.created_at.toISOString() })),
  };
}
