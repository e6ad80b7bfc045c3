import 'server-only';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { isTerminal } from '@/model/run-status';
import { lockRun } from '@/server/runs/lock-run';
import { ZRunOperation, type TRunOperationInput } from '@/server/runs/run-operation-input';
import { deleteRunTrees } from '@/server/runtime/run-store/delete-run-trees';

/**
 * Deletes one ended run now (admins), with everything it owns and its child runs, as
 * retention would. A run that is not terminal, or whose child run still goes, is refused
 * with CONFLICT and nothing is deleted.
 */
export async function deleteRun({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TRunOperationInput;
}): Promise<{ runId: string; deleted: number }> {
  assertAllowed(ctx, 'run.delete');
  const { id, reason } = ZRunOperation.parse(input);
  return db.transaction().execute(async (tx) => {
    const run = await lockRun(tx, ctx.tenantId, id);
    if (!isTerminal(run.status))
      throw new AppError('CONFLICT', `The run is ${run.status}; only an ended run can be deleted (cancel it first).`);
    const [tree] = await deleteRunTrees(tx, [run.id]);
    if (!tree)
      throw new AppError('CONFLICT', 'A child run of this run is still going; it can be deleted once that ends.');
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'run.deleted',
        targetType: 'run',
        targetId: run.id,
        data: { workflow: run.workflow_key, status: run.status, runs: tree.runs, ...(reason ? { reason } : {}) },
      },
    });
    return { runId: run.id, deleted: tree.runs };
  });
}
