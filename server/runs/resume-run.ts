import 'server-only';
import { z } from 'zod';
import type { Db, Tx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { actorLabel } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';
import { assertCanOperate } from '@/model/run-status';
import { appendRunEvent, notifyRunChanged } from '@/server/runtime/run-store/append-run-event';
import { lockRun, type TLockedRun } from '@/server/runs/lock-run';
import { writeOperatorTransition } from '@/server/runtime/run-store/operator-transition';
import { resolveOpenWait } from '@/server/runtime/run-store/resolve-open-wait';
import { ZReason, type TRunOperationResult } from '@/server/runs/run-operation-input';
import { ZRunId } from '@/server/runs/run-record';

export const ZResumeRunBody = z.object({
  reason: ZReason,
  /** Admins, for a WAITING run: the payload its open event or task wait is resolved with. */
  payload: z.unknown().optional(),
  /** Which wait, when the run waits on more than one (parallel branches). */
  waitId: z.string().uuid().optional(),
});
export const ZResumeRun = ZResumeRunBody.extend({ id: ZRunId });
export type TResumeRun = z.input<typeof ZResumeRun>;

/**
 * Resumes a PAUSED run: a run that never started goes back to QUEUED (so its workflow's
 * limits still apply), any other to RUNNING, with a job for a worker. For an admin, a
 * WAITING run is resumed by resolving its open event or task wait with `payload`.
 */
export async function resumeRun({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TResumeRun;
}): Promise<TRunOperationResult> {
  assertAllowed(ctx, 'run.operate');
  const args = ZResumeRun.parse(input);
  return db.transaction().execute(async (tx) => {
    const run = await lockRun(tx, ctx.tenantId, args.id);
    assertCanOperate('resume', run.status);
    if (run.status === 'WAITING') return resolveWaitAsAdmin(tx, ctx, run, args);
    // A payload or a waitId asks for a wait to be resolved. A run paused since the caller saw it
    // WAITING used to be resumed instead, the payload dropped and the call answered as done: the
    // caller took the wait as resolved while its task stayed open for another answer (chaos:
    // an admin's "approve" journaled for a task whose wait a later answer resolved "reject").
    if (args.payload !== undefined || args.waitId !== undefined)
      throw new AppError(
        'CONFLICT',
        `Run ${run.id} is ${run.status}, not WAITING, so its wait was not resolved and the run was not resumed; resume it first and resolve the wait once it waits again.`,
        { status: run.status },
      );
    // Paused while queued (or never started), it queues again, so its workflow's limits still apply.
    const status = run.paused_from === 'QUEUED' || !run.started_at ? 'QUEUED' : 'RUNNING';
    await writeOperatorTransition(tx, run.id, { status, pause_requested: false, paused_from: null });
    await appendRunEvent(tx, {
      runId: run.id,
      tenantId: run.tenant_id,
      type: 'run.resumed',
      data: { by: actorLabel(ctx.actor), ...(args.reason ? { reason: args.reason } : {}) },
    });
    await enqueueAdvance({ db: tx, runId: run.id });
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'run.resumed',
        targetType: 'run',
        targetId: run.id,
        data: args.reason ? { reason: args.reason } : {},
      },
    });
    await notifyRunChanged(tx, run.id);
    return { runId: run.id, status, requested: false };
  });
}

async function resolveWaitAsAdmin(
  tx: Tx,
  ctx: TAuthContext,
  run: TLockedRun,
  args: z.infer<typeof ZResumeRun>,
): Promise<TRunOperationResult> {
  if (ctx.role !== 'admin' || (ctx.roleCap && ctx.roleCap !== 'admin')) {
    throw new AppError(
      'FORBIDDEN',
      'Only an admin can resume a WAITING run by resolving its wait; answer its task or send its event instead.',
    );
  }
  let query = tx
    .selectFrom('run_waits')
    .select(['id', 'kind', 'step_path'])
    .where('run_id', '=', run.id)
    .where('status', '=', 'open')
    .where('kind', 'in', ['event', 'task']);
  if (args.waitId) query = query.where('id', '=', args.waitId);
  const waits = await query.forUpdate().execute();
  if (waits.length === 0)
    throw new AppError(
      'CONFLICT',
      args.waitId
        ? `Run ${run.id} has no open event or task wait ${args.waitId}.`
        : `Run ${run.id} is not waiting on an event or a task (timers and child runs end by themselves).`,
      { status: run.status },
    );
  if (waits.length > 1)
    throw new AppError('CONFLICT', `Run ${run.id} waits on ${waits.length} things; name one with waitId.`, {
      waits: waits.map((w) => ({ id: w.id, kind: w.kind, stepPath: w.step_path })),
    });
  const wait = waits[0]!;
  const by = actorLabel(ctx.actor);
  let payload: unknown = args.payload ?? null;
  if (wait.kind === 'task') payload = await completeTaskAsAdmin(tx, run, wait.id, args.payload, by);
  await resolveOpenWait(tx, {
    waitId: wait.id,
    payload,
    reason: `resolved by ${by}${args.reason ? `: ${args.reason}` : ''}`,
  });
  await recordAudit({
    db: tx,
    ctx,
    entry: {
      action: 'run.wait_resolved',
      targetType: 'run',
      targetId: run.id,
      data: {
        waitId: wait.id,
        kind: wait.kind,
        stepPath: wait.step_path,
        ...(args.reason ? { reason: args.reason } : {}),
      },
    },
  });
  return { runId: run.id, status: 'RUNNING', requested: false };
}

const ZAdminTaskAnswer = z.object({ outcome: z.string(), data: z.record(z.unknown()).default({}) });

/** A task's wait resolves with the same shape an answer has, so the workflow reads it the same way. */
async function completeTaskAsAdmin(
  tx: Tx,
  run: TLockedRun,
  waitId: string,
  raw: unknown,
  by: string,
): Promise<unknown> {
  const task = await tx
    .selectFrom('tasks')
    .select(['id', 'outcomes', 'step_id'])
    .where('wait_id', '=', waitId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (!task) throw new AppError('CONFLICT', 'The task of this wait is no longer open.');
  const answer = ZAdminTaskAnswer.safeParse(raw);
  if (!answer.success || !task.outcomes.includes(answer.data.outcome)) {
    throw new AppError(
      'VALIDATION',
      `payload: a task wait is resolved with {outcome, data}, outcome one of ${task.outcomes.join(', ')}`,
      [{ path: 'payload.outcome', message: `one of ${task.outcomes.join(', ')}` }],
    );
  }
  const completedAt = new Date();
  await tx
    .updateTable('tasks')
    .set({
      status: 'completed',
      outcome: answer.data.outcome,
      data: JSON.stringify(answer.data.data),
      completed_by: by,
      completed_at: completedAt,
    })
    .where('id', '=', task.id)
    .execute();
  await appendRunEvent(tx, {
    runId: run.id,
    tenantId: run.tenant_id,
    type: 'task.completed',
    stepId: task.step_id,
    data: { taskId: task.id, outcome: answer.data.outcome, completedBy: by },
  });
  return {
    outcome: answer.data.outcome,
    data: answer.data.data,
    completedBy: by,
    completedAt: completedAt.toISOString(),
  };
}
