import 'server-only';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { actorLabel } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';
import { scheduleRunTimeout } from '@/server/runtime/run-store/end-run-effects';
import { loadRunDocument } from '@/server/runtime/load-run-version';
import { rewindRunForRetry } from '@/server/runtime/run-store/rewind-run-for-retry';
import { assertCanOperate } from '@/model/run-status';
import { appendRunEvent, notifyRunChanged } from '@/server/runtime/run-store/append-run-event';
import { lockRun } from '@/server/runs/lock-run';
import { writeOperatorTransition } from '@/server/runtime/run-store/operator-transition';
import { ZRunOperation, type TRunOperationInput, type TRunOperationResult } from '@/server/runs/run-operation-input';

/**
 * Re-executes a FAILED run from the failed step (SPEC §5, §7.6): a failing step never advances
 * the saved execution, and a try block that went on to run finally is put back at its failed
 * step (rewindRunForRetry); the step's next record is the next attempt number.
 */
export async function retryRun({
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
    assertCanOperate('retry', run.status);
    const failed = (run.error ?? {}) as { code?: unknown; stepPath?: unknown };
    // settings.timeoutMs counts again from now: retrying a run that timed out must not fail it
    // at once for the time it already spent.
    const { settings } = await loadRunDocument({ db: tx, run });
    const now = new Date();
    // Under limits the retried run queues for a slot like any other (SPEC §7.5); it keeps its start.
    const limited = Boolean(settings.maxConcurrentRuns || settings.runsPerMinute);
    await writeOperatorTransition(tx, run.id, {
      status: limited ? 'QUEUED' : 'RUNNING',
      error: null,
      output: null,
      completed_at: null,
      pause_requested: false,
      cancel_requested: false,
      wake_requested: false,
      recoveries: 0,
    });
    // Back to the step that failed (SPEC §7.6), with a new timeout window.
    await rewindRunForRetry({ tx, runId: run.id, timeoutFrom: settings.timeoutMs ? now : null });
    if (settings.timeoutMs) await scheduleRunTimeout(tx, run, new Date(now.getTime() + settings.timeoutMs));
    const data = {
      reason: 'retried',
      by: actorLabel(ctx.actor),
      previousError: failed.code ?? null,
      fromStep: failed.stepPath ?? null,
      ...(reason ? { note: reason } : {}),
    };
    await appendRunEvent(tx, { runId: run.id, tenantId: run.tenant_id, type: 'run.resumed', data });
    await enqueueAdvance({ db: tx, runId: run.id });
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'run.retried',
        targetType: 'run',
        targetId: run.id,
        data: { previousError: failed.code ?? null, ...(reason ? { reason } : {}) },
      },
    });
    await notifyRunChanged(tx, run.id);
    return { runId: run.id, status: limited ? 'QUEUED' : 'RUNNING', requested: false };
  });
}
