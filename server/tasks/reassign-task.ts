import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { ZRole } from '@/model/roles';
import { ZTaskApprovals } from '@/model/tasks/task-quorum';
import {
  actorEmail,
  effectiveRole,
  mayAnswer,
  selectTaskRows,
  toTaskRecord,
  ZTaskAssigneeRecord,
  ZTaskId,
  type TTaskRecord,
} from '@/server/tasks/task-record';
import { describeAssignee } from '@/server/tasks/task-answerer';
import { assertOpen, lockTask } from '@/server/tasks/lock-task';
import { notifyTasksChanged } from '@/server/tasks/tasks-changed';

const ZEmail = z
  .string()
  .trim()
  .email('must be an email address')
  .transform((email) => email.toLowerCase());

/** A new assignee: a role, one person, or a list of people (literal values, not expressions). */
export const ZNewAssignee = z.union([
  z.object({ role: ZRole }).strict(),
  z.object({ user: ZEmail }).strict(),
  z
    .object({
      users: z
        .array(ZEmail)
        .min(1, 'list at least one person')
        .max(100)
        .transform((users) => [...new Set(users)]),
    })
    .strict(),
]);
export const ZReassignTaskBody = z.object({ assignee: ZNewAssignee });
export const ZReassignTask = ZReassignTaskBody.extend({ id: ZTaskId });

/**
 * Hands an open task to another role, person or list of people (SPEC §10): anyone who may
 * answer it, but once claimed only its claimer or an admin. The claim is dropped and answers
 * already given stay; the new assignee must still fit the task's quorum rule (422).
 */
export async function reassignTask({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: z.input<typeof ZReassignTask>;
}): Promise<TTaskRecord> {
  assertAllowed(ctx, 'task.answer');
  const { id, assignee } = ZReassignTask.parse(input);
  const email = await actorEmail(db, ctx);
  return db.transaction().execute(async (tx) => {
    const task = await lockTask(tx, { tenantId: ctx.tenantId, id });
    const current = ZTaskAssigneeRecord.parse(task.assignee);
    const admin = effectiveRole(ctx) === 'admin';
    if (!mayAnswer(current, ctx, email))
      throw new AppError('FORBIDDEN', `This task is assigned to ${describeAssignee(current)}; you cannot reassign it.`);
    if (task.claimed_by && task.claimed_by !== email && !admin)
      throw new AppError(
        'FORBIDDEN',
        `This task is claimed by ${task.claimed_by}; only they or an admin can reassign it.`,
      );
    assertOpen(task, 'reassigned');
    const approvals = task.approvals ? ZTaskApprovals.parse(task.approvals) : null;
    if (approvals?.required === 'all' && !('users' in assignee))
      throw new AppError('VALIDATION', 'assignee: this task needs every listed person; give {"users": [emails]}', [
        { path: 'assignee', message: 'needs {"users": [emails]} for approvals.required "all"' },
      ]);
    if (approvals && 'user' in assignee && approvals.required !== 1)
      throw new AppError('VALIDATION', `assignee: this task needs ${approvals.required} approvals, not one person's`, [
        { path: 'assignee', message: `needs at least ${approvals.required} people` },
      ]);
    if (typeof approvals?.required === 'number' && 'users' in assignee && assignee.users.length < approvals.required)
      throw new AppError('VALIDATION', `assignee.users: this task needs ${approvals.required} approvals`, [
        { path: 'assignee.users', message: `list at least ${approvals.required} people` },
      ]);
    await tx
      .updateTable('tasks')
      .set({ assignee: JSON.stringify(assignee), claimed_by: null, claimed_at: null })
      .where('id', '=', id)
      .execute();
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'task.reassigned',
        targetType: 'task',
        targetId: id,
        data: { runId: task.run_id, from: current, to: assignee },
      },
    });
    await notifyTasksChanged(tx, ctx.tenantId);
    return toTaskRecord(await selectTaskRows(tx, ctx.tenantId).where('tasks.id', '=', id).executeTakeFirstOrThrow());
  });
}
