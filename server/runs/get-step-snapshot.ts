import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { toSnapshotRecord, type TSnapshotRecord } from '@/server/runs/list-run-snapshots';
import { hasSnapshot, snapshotColumns } from '@/server/runtime/run-store/stored-snapshot';
import { findRunRow, ZRunId } from '@/server/runs/run-record';

export const ZGetStepSnapshot = z.object({ id: ZRunId, stepRecordId: z.string().uuid('not a step record id') });
export type TGetStepSnapshot = z.input<typeof ZGetStepSnapshot>;

/**
 * The redacted envelope after one step attempt of a run of the caller's tenant, or null when
 * that attempt kept none (it failed, waits, or is a block still running). The run page asks
 * for the selected step's only, instead of every snapshot of a long run.
 */
export async function getStepSnapshot({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: TGetStepSnapshot;
}): Promise<TSnapshotRecord | null> {
  assertAllowed(ctx, 'run.read');
  const args = ZGetStepSnapshot.parse(input);
  const run = await findRunRow(db, ctx.tenantId, args.id);
  const row = await db
    .selectFrom('run_steps as r')
    .leftJoin('run_snapshots as s', 's.step_record_id', 'r.id')
    .select(['r.id as step_record_id', 'r.step_id', 'r.path', 'r.attempt', ...snapshotColumns(run, ctx.tenantId)])
    .where('r.run_id', '=', run.id)
    .where('r.id', '=', args.stepRecordId)
    .where(hasSnapshot())
    .executeTakeFirst();
  return row ? toSnapshotRecord(row) : null;
}
