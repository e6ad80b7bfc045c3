import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { actorLabel } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { afterRunEnded } from '@/server/runtime/run-store/end-run-effects';
import { assertCanOperate } from '@/model/run-status';
import { appendRunEvent, notifyRunChanged } from '@/server/runtime/run-store/append-run-event';
import { lockRun } from '@/server/runs/lock-run';
import { writeOperatorTransition } from '@/server/runtime/run-store/operator-transition';
import { requestCancel } from '@/server/runtime/run-store/run-requests';
import { ZRunOperation, type TRunOperationInput, type TRunOperationResult } from '@/server/runs/run-operation-input';

/**
 * Cancels a non-terminal run (SPEC §5). A run no worker holds is CANCELED here and now: its
 * waits and tasks are closed, its unfinished step records marked CANCELED, and a parent
 * waiting on it is told. A held run gets `cancel_requested`: its worker aborts the in-flight
 * action through the AbortSignal and records the cancel itself.
 */
export async function cancelRun({
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
    assertCanOperate('cancel', run.status);
    const audit = { targetType: 'run', targetId: run.id, data: { from: run.status, ...(reason ? { reason } : {}) } };
    if (run.held) {
      await requestCancel(tx, run.id);
      await recordAudit({ db: tx, ctx, entry: { action: 'run.cancel_requested', ...audit } });
      return { runId: run.id, status: run.status, requested: true };
    }
    const error = {
      code: 'CANCELED',
      message: `The run was canceled by ${actorLabel(ctx.actor)}${reason ? `: ${reason}` : '.'}`,
      stepId: null,
      stepPath: null,
    };
    await writeOperatorTransition(tx, run.id, {
      status: 'CANCELED',
      error: JSON.stringify(error),
      completed_at: sql`now()`,
      pause_requested: false,
      cancel_requested: false,
      wake_requested: false,
    });
    await tx
      .updateTable('run_steps')
      .set({
        status: 'CANCELED',
        completed_at: sql`now()`,
        duration_ms: sql<number>`(extract(epoch from (now() - started_at)) * 1000)::int`,
      })
      .where('run_id', '=', run.id)
      .where('status', 'in', ['RUNNING', 'WAITING'])
      .execute();
    await appendRunEvent(tx, {
      runId: run.id,
      tenantId: run.tenant_id,
      type: 'run.canceled',
      data: { code: 'CANCELED', message: error.message, by: actorLabel(ctx.actor), ...(reason ? { reason } : {}) },
    });
    // As for a run its worker finished: its work closed, its slot freed, its parent told.
    await afterRunEnded(tx, {
      id: run.id,
      parentRunId: run.parent_run_id,
      workflowId: run.workflow_id,
      status: 'CANCELED',
      output: null,
      error,
    });
    await recordAudit({ db: tx, ctx, entry: { action: 'run.canceled', ...audit } });
    await notifyRunChanged(tx, run.id);
    if (run.parent_run_id) await notifyRunChanged(tx, run.parent_run_id);
    return { runId: run.id, status: 'CANCELED', requested: false };
  });
}
