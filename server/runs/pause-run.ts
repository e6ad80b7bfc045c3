import 'server-only';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { actorLabel } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { assertCanOperate } from '@/model/run-status';
import { appendRunEvent, notifyRunChanged } from '@/server/runtime/run-store/append-run-event';
import { lockRun } from '@/server/runs/lock-run';
import { writeOperatorTransition } from '@/server/runtime/run-store/operator-transition';
import { requestPause } from '@/server/runtime/run-store/run-requests';
import { ZRunOperation, type TRunOperationInput, type TRunOperationResult } from '@/server/runs/run-operation-input';

/**
 * Pauses a run (SPEC §5: "after its current step"). A run no worker holds is PAUSED at once,
 * whatever it was waiting for; a held one gets `pause_requested`, announced to its worker
 * (RUN_CONTROL_CHANNEL, with the lease renewal as the backstop), which obeys it between steps.
 */
export async function pauseRun({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TRunOperationInput;
}): Promise<TRunOperationResult> {
  assertAllowed(ctx, 'run.operate');
  const { id, reason } = ZRunOperation.parse(input);
  return db.transaction().execute(async (tx) => {
    const run = await lockRun(tx, ctx.tenantId, id);
    assertCanOperate('pause', run.status);
    const by = actorLabel(ctx.actor);
    if (run.held) {
      await requestPause(tx, run.id);
      await recordAudit({
        db: tx,
        ctx,
        entry: {
          action: 'run.pause_requested',
          targetType: 'run',
          targetId: run.id,
          data: { from: run.status, ...(reason ? { reason } : {}) },
        },
      });
      return { runId: run.id, status: run.status, requested: true };
    }
    // Paused while QUEUED, it holds no slot under maxConcurrentRuns and goes back to the queue on resume.
    await writeOperatorTransition(tx, run.id, { status: 'PAUSED', pause_requested: false, paused_from: run.status });
    await appendRunEvent(tx, {
      runId: run.id,
      tenantId: run.tenant_id,
      type: 'run.paused',
      data: { by, from: run.status, ...(reason ? { reason } : {}) },
    });
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'run.paused',
        targetType: 'run',
        targetId: run.id,
        data: { from: run.status, ...(reason ? { reason } : {}) },
      },
    });
    await notifyRunChanged(tx, run.id);
    return { runId: run.id, status: 'PAUSED', requested: false };
  });
}
