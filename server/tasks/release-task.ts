import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import {
  actorEmail,
  effectiveRole,
  selectTaskRows,
  toTaskRecord,
  ZTaskId,
  type TTaskRecord,
} from '@/server/tasks/task-record';
import { assertOpen, lockTask } from '@/server/tasks/lock-task';
import { notifyTasksChanged } from '@/server/tasks/tasks-changed';

export const ZReleaseTask = z.object({ id: ZTaskId });

/** Gives a claimed task back to its assignees: its claimer or an admin; 409 when not claimed. */
export async function releaseTask({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: z.input<typeof ZReleaseTask>;
}): Promise<TTaskRecord> {
  assertAllowed(ctx, 'task.answer');
  const { id } = ZReleaseTask.parse(input);
  const email = await actorEmail(db, ctx);
  return db.transaction().execute(async (tx) => {
    const task = await lockTask(tx, { tenantId: ctx.tenantId, id });
    assertOpen(task, 'released');
    if (!task.claimed_by) throw new AppError('CONFLICT', 'This task is not claimed.');
    if (task.claimed_by !== email && effectiveRole(ctx) !== 'admin')
      throw new AppError(
        'FORBIDDEN',
        `This task is claimed by ${task.claimed_by}; only they or an admin can release it.`,
      );
    await tx.updateTable('tasks').set({ claimed_by: null, claimed_at: null }).where('id', '=', id).execute();
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'task.released',
        targetType: 'task',
        targetId: id,
        data: { runId: task.run_id, claimedBy: task.claimed_by },
      },
    });
    await notifyTasksChanged(tx, ctx.tenantId);
    return toTaskRecord(await selectTaskRows(tx, ctx.tenantId).where('tasks.id', '=', id).executeTakeFirstOrThrow());
  });
}
