import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { assertCanOperate } from '@/model/run-status';
import { startRun } from '@/server/runtime/start-run';
import { ZReason } from '@/server/runs/run-operation-input';
import { findRunRow, ZRunId } from '@/server/runs/run-record';

export const ZRerunRunBody = z.object({
  reason: ZReason,
  /** Run the latest published version instead of the one the original run pinned. */
  latest: z.boolean().default(false),
});
export const ZRerunRun = ZRerunRunBody.extend({ id: ZRunId });
export type TRerunRun = z.input<typeof ZRerunRun>;

/** Starts a new run with a finished run's input (SPEC §5), on the same version unless `latest`. */
export async function rerunRun({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TRerunRun;
}): Promise<{ runId: string; status: string; rerunOf: string }> {
  assertAllowed(ctx, 'run.operate');
  const args = ZRerunRun.parse(input);
  const original = await findRunRow(db, ctx.tenantId, args.id);
  assertCanOperate('rerun', original.status);
  const started = await startRun({
    tenantId: ctx.tenantId,
    workflowKey: original.workflow_key,
    version: args.latest ? 'latest' : original.version,
    input: original.input,
    trigger: { type: 'rerun', id: original.id },
    onCreate: (tx, runId) =>
      recordAudit({
        db: tx,
        ctx,
        entry: {
          action: 'run.rerun',
          targetType: 'run',
          targetId: runId,
          data: { rerunOf: original.id, latest: args.latest, ...(args.reason ? { reason: args.reason } : {}) },
        },
      }),
  });
  return { runId: started.runId, status: started.status, rerunOf: original.id };
}
