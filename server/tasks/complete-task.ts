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
import {
  actorEmail,
  mayAnswer,
  selectTaskRows,
  toTaskRecord,
  ZTaskAssigneeRecord,
  ZTaskId,
  type TTaskRecord,
} from '@/server/tasks/task-record';
import { validateTaskData } from '@/server/tasks/validate-task-data';
import { lockRunRow } from '@/server/runtime/run-store/lock-run-row';

export const ZCompleteTaskBody = z.object({
  outcome: z.string().trim().min(1, 'choose an outcome').max(64),
  data: z.record(z.unknown()).default({}),
});
export const ZCompleteTask = ZCompleteTaskBody.extend({ id: ZTaskId });
export type TCompleteTask = z.input<typeof ZCompleteTask>;

/**
 * Answers a task (SPEC §4.3 human.task): only its assignee (or an admin), only once, with one
 * of its outcomes and data that fits its form. The answer resolves the task's wait with
 * `{outcome, data, completedBy, completedAt}` and wakes the run, all in one transaction.
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
    // The run row first, then the task (the runtime's lock order, lockRunRow): locking the
    // task makes a second answer wait for the first and then see it answered.
    const owner = await tx
      .selectFrom('tasks')
      .select('run_id')
      .where('tenant_id', '=', ctx.tenantId)
      .where('id', '=', args.id)
      .executeTakeFirst();
    if (owner) await lockRunRow(tx, owner.run_id);
    const task = owner
      ? await tx
          .selectFrom('tasks')
          .selectAll()
          .where('tenant_id', '=', ctx.tenantId)
          .where('id', '=', args.id)
          .forUpdate()
          .executeTakeFirst()
      : undefined;
    if (!task) throw new AppError('NOT_FOUND', `No task with id ${args.id}.`);
    const assignee = ZTaskAssigneeRecord.parse(task.assignee);
    if (!mayAnswer(assignee, ctx, email)) {
      throw new AppError(
        'FORBIDDEN',
        'user' in assignee
          ? `This task is assigned to ${assignee.user}.`
          : `This task is assigned to the ${assignee.role} role.`,
      );
    }
    if (task.status !== 'open')
      throw new AppError(
        'CONFLICT',
        task.status === 'completed'
          ? `This task was already answered (${task.outcome ?? 'no outcome'}) by ${task.completed_by ?? 'someone'}.`
          : `This task is ${task.status}; it can no longer be answered.`,
        { status: task.status },
      );
    if (!task.outcomes.includes(args.outcome))
      throw new AppError('VALIDATION', `outcome: one of ${task.outcomes.join(', ')}`, [
        { path: 'outcome', message: `must be one of ${task.outcomes.join(', ')}` },
      ]);
    validateTaskData({ form: z.record(z.unknown()).parse(task.form), data: args.data });
    const completedBy = email ?? actorLabel(ctx.actor);
    const completedAt = new Date();
    await tx
      .updateTable('tasks')
      .set({
        status: 'completed',
        outcome: args.outcome,
        data: JSON.stringify(args.data),
        completed_by: completedBy,
        completed_at: completedAt,
      })
      .where('id', '=', task.id)
      .execute();
    await appendRunEvent(tx, {
      runId: task.run_id,
      tenantId: task.tenant_id,
      type: 'task.completed',
      stepId: task.step_id,
      data: { taskId: task.id, outcome: args.outcome, completedBy },
    });
    const payload = { outcome: args.outcome, data: args.data, completedBy, completedAt: completedAt.toISOString() };
    const woke = await resolveOpenWait(tx, { waitId: task.wait_id, payload, reason: `task "${task.title}" answered` });
    // An open task always has an open wait (both close together); if not, refuse rather than answer into nothing.
    if (!woke) throw new AppError('CONFLICT', 'This task is no longer waited on; it can no longer be answered.');
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'task.completed',
        targetType: 'task',
        targetId: task.id,
        data: { runId: task.run_id, outcome: args.outcome },
      },
    });
    return toTaskRecord({
      ...(await selectTaskRows(tx, ctx.tenantId).where('tasks.id', '=', task.id).executeTakeFirstOrThrow()),
    });
  });
}
