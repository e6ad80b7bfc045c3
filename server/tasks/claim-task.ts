import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import {
  actorEmail,
  mayAnswer,
  selectTaskRows,
  taskTally,
  toTaskRecord,
  ZTaskAssigneeRecord,
  ZTaskId,
  type TTaskRecord,
} from '@/server/tasks/task-record';
import { describeAssignee } from '@/server/tasks/task-answerer';
import { assertOpen, lockTask } from '@/server/tasks/lock-task';
import { notifyTasksChanged } from '@/server/tasks/tasks-changed';

export const ZClaimTask = z.object({ id: ZTaskId });

/**
 * Claims an open task for the caller (SPEC §10): from then on only they (or an admin) answer
 * it. Claiming one's own claim again is a no-op; someone else's is 409. A task that needs
 * several people's approvals cannot be claimed by one of them.
 */
export async function claimTask({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: z.input<typeof ZClaimTask>;
}): Promise<TTaskRecord> {
  assertAllowed(ctx, 'task.answer');
  const { id } = ZClaimTask.parse(input);
  const email = await actorEmail(db, ctx);
  return db.transaction().execute(async (tx) => {
    const task = await lockTask(tx, { tenantId: ctx.tenantId, id });
    const assignee = ZTaskAssigneeRecord.parse(task.assignee);
    if (!mayAnswer(assignee, ctx, email))
      throw new AppError('FORBIDDEN', `This task is assigned to ${describeAssignee(assignee)}; you cannot claim it.`);
    if (!email) throw new AppError('FORBIDDEN', 'Only a person (or a token with an owner) can claim a task.');
    assertOpen(task, 'claimed');
    if (taskTally(task, []).required > 1)
      throw new AppError(
        'CONFLICT',
        `This task needs ${taskTally(task, []).required} people's approvals; one person cannot claim it.`,
      );
    if (task.claimed_by && task.claimed_by !== email)
      throw new AppError('CONFLICT', `This task is already claimed by ${task.claimed_by}.`, {
        claimedBy: task.claimed_by,
      });
    if (!task.claimed_by) {
      await tx.updateTable('tasks').set({ claimed_by: email, claimed_at: new Date() }).where('id', '=', id).execute();
      await recordAudit({
        db: tx,
        ctx,
        entry: { action: 'task.claimed', targetType: 'task', targetId: id, data: { runId: task.run_id } },
      });
      await notifyTasksChanged(tx, ctx.tenantId);
    }
    return toTaskRecord(await selectTaskRows(tx, ctx.tenantId).where('tasks.id', '=', id).executeTakeFirstOrThrow());
  });
}
