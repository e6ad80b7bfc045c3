import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { actorLabel } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { appendRunEvent } from '@/server/runtime/run-store/append-run-event';
import { resolveOpenWait } from '@/server/runtime/run-store/resolve-open-wait';
import { sql, type Selectable } from 'kysely';
import type { Tx } from '@/server/db/database';
import type { TasksTable } from '@/server/db/runtime-schema';
import {
  actorEmail,
  selectTaskRows,
  taskTally,
  toTaskRecord,
  ZTaskId,
  type TTaskRecord,
} from '@/server/tasks/task-record';
import { assertMayAnswerTask } from '@/server/tasks/task-answerer';
import { notifyTasksChanged } from '@/server/tasks/tasks-changed';
import { validateTaskData } from '@/server/tasks/validate-task-data';
import { lockTask } from '@/server/tasks/lock-task';

export const ZCompleteTaskBody = z.object({
  outcome: z.string().trim().min(1, 'choose an outcome').max(64),
  data: z.record(z.unknown()).default({}),
});
export const ZCompleteTask = ZCompleteTaskBody.extend({ id: ZTaskId });
export type TCompleteTask = z.input<typeof ZCompleteTask>;

/**
 * Answers a task (SPEC §4.3, §10): only its assignee (or an admin; only its claimer once
 * claimed; not the run's starter when self-approval is off), each person once, with one of
 * its outcomes and data that fits its form. The answer is recorded; when it decides the task
 * (its quorum reached, or enough of another outcome), the task's wait resolves with
 * `{outcome, data, completedBy, completedAt, answers}` and the run wakes, all in one
 * transaction. The run row is locked first, so of two answers landing together the second
 * sees the first's result: an answer after the deciding one gets 409 and is not recorded.
 */
export async function completeTask({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TCompleteTask;
}): Promise<TTaskRecord> {
  assertAllowed(ctx, 'task.answer');
  const args = ZCompleteTask.parse(input);
  const email = await actorEmail(db, ctx);
  return db.transaction().execute(async (tx) => {
    // The run row first, then the task (lockTask): a second answer waits for the first and
    // then sees it.
    const task = await lockTask(tx, { tenantId: ctx.tenantId, id: args.id });
    return answerLockedTask(tx, { ctx, email, task, outcome: args.outcome, data: args.data });
  });
}

/**
 * The answer itself, on a task its caller has locked (lockTask) in `tx`: every rule of
 * completeTask (assignee, claim, self-approval, open, outcome, form, once per person), then
 * the answer recorded and the task decided when it is. One-click links share it.
 */
export async function answerLockedTask(
  tx: Tx,
  {
    ctx,
    email,
    task,
    outcome,
    data,
  }: {
    ctx: TAuthContext;
    email: string | null;
    task: Selectable<TasksTable>;
    outcome: string;
    data: Record<string, unknown>;
  },
): Promise<TTaskRecord> {
  const args = { outcome, data };
  const { onBehalfOf } = await assertMayAnswerTask(tx, { ctx, email, task });
  if (task.status !== 'open')
    throw new AppError(
      'CONFLICT',
      task.status === 'completed'
        ? `This task was already decided (${task.outcome ?? 'no outcome'}) by ${task.completed_by ?? 'someone'}; your answer was not recorded.`
        : `This task is ${task.status}; it can no longer be answered.`,
      { status: task.status, outcome: task.outcome },
    );
  if (!task.outcomes.includes(args.outcome))
    throw new AppError('VALIDATION', `outcome: one of ${task.outcomes.join(', ')}`, [
      { path: 'outcome', message: `must be one of ${task.outcomes.join(', ')}` },
    ]);
  validateTaskData({ form: z.record(z.unknown()).parse(task.form), data: args.data });
  const by = email ?? actorLabel(ctx.actor);
  const earlier = await tx
    .selectFrom('task_answers')
    .select(['outcome', 'at'])
    .where('task_id', '=', task.id)
    .where(sql<boolean>`lower(coalesce(on_behalf_of, by)) = ${(onBehalfOf ?? by).toLowerCase()}`)
    .executeTakeFirst();
  if (earlier)
    throw new AppError(
      'CONFLICT',
      onBehalfOf
        ? `${onBehalfOf} already answered this task (${earlier.outcome}); each person answers once.`
        : `You already answered this task (${earlier.outcome}); each person answers once.`,
      { outcome: earlier.outcome },
    );
  const answeredAt = new Date();
  await tx
    .insertInto('task_answers')
    .values({
      tenant_id: task.tenant_id,
      task_id: task.id,
      by,
      on_behalf_of: onBehalfOf,
      outcome: args.outcome,
      data: JSON.stringify(args.data),
      at: answeredAt,
    })
    .execute();
  const answers = await tx
    .selectFrom('task_answers')
    .select(['outcome', 'data', 'by', 'on_behalf_of', 'at'])
    .where('task_id', '=', task.id)
    .orderBy('at')
    .orderBy('id')
    .execute();
  const tally = taskTally(task, answers);
  if (tally.decided === null) {
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'task.answered',
        targetType: 'task',
        targetId: task.id,
        data: { runId: task.run_id, outcome: args.outcome, approvals: tally.approvals, required: tally.required },
      },
    });
    await notifyTasksChanged(tx, task.tenant_id);
  } else await decideTask(tx, { ctx, task, outcome: tally.decided, data: args.data, by, at: answeredAt, answers });
  return toTaskRecord({
    ...(await selectTaskRows(tx, ctx.tenantId).where('tasks.id', '=', task.id).executeTakeFirstOrThrow()),
  });
}

/**
 * Closes a task with its deciding answer: the saved value is that answer with every answer
 * given (SPEC §10), the wait resolves with it and the run wakes, in the answer's transaction.
 */
async function decideTask(
  tx: Tx,
  {
    ctx,
    task,
    outcome,
    data,
    by,
    at,
    answers,
  }: {
    ctx: TAuthContext;
    task: Selectable<TasksTable>;
    outcome: string;
    data: Record<string, unknown>;
    by: string;
    at: Date;
    answers: { outcome: string; data: unknown; by: string; on_behalf_of: string | null; at: Date }[];
  },
): Promise<void> {
  await tx
    .updateTable('tasks')
    .set({ status: 'completed', outcome, data: JSON.stringify(data), completed_by: by, completed_at: at })
    .where('id', '=', task.id)
    .execute();
  await appendRunEvent(tx, {
    runId: task.run_id,
    tenantId: task.tenant_id,
    type: 'task.completed',
    stepId: task.step_id,
    data: { taskId: task.id, outcome, completedBy: by, answers: answers.length },
  });
  const payload = {
    outcome,
    data,
    completedBy: by,
    completedAt: at.toISOString(),
    answers: answers.map((answer) => ({
      outcome: answer.outcome,
      data: answer.data,
      by: answer.by,
      at: answer.at.toISOString(),
      ...(answer.on_behalf_of ? { onBehalfOf: answer.on_behalf_of } : {}),
    })),
  };
  const woke = await resolveOpenWait(tx, { waitId: task.wait_id, payload, reason: `task "${task.title}" answered` });
  // An open task always has an open wait (both close together); if not, refuse rather than answer into nothing.
  if (!woke) throw new AppError('CONFLICT', 'This task is no longer waited on; it can no longer be answered.');
  await recordAudit({
    db: tx,
    ctx,
    entry: { action: 'task.completed', targetType: 'task', targetId: task.id, data: { runId: task.run_id, outcome } },
  });
  await notifyTasksChanged(tx, task.tenant_id);
}
