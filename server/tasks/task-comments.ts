import 'server-only';
import { z } from 'zod';
import type { Db, DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { actorLabel } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { actorEmail, ZTaskId } from '@/server/tasks/task-record';
import { lockTask } from '@/server/tasks/lock-task';
import { notifyTasksChanged } from '@/server/tasks/tasks-changed';

export const ZTaskComment = z.object({ id: z.string(), author: z.string(), text: z.string(), createdAt: z.string() });
export type TTaskComment = z.infer<typeof ZTaskComment>;
export const ZAddTaskCommentBody = z.object({
  text: z.string().trim().min(1, 'write something').max(5000, 'at most 5000 characters'),
});
export const ZAddTaskComment = ZAddTaskCommentBody.extend({ id: ZTaskId });

/** A task's comments, oldest first; anyone who can read the task reads them. */
export async function listTaskComments({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: { id: string };
}): Promise<{ items: TTaskComment[] }> {
  assertAllowed(ctx, 'run.read');
  const id = ZTaskId.safeParse(input.id);
  const task = id.success
    ? await db
        .selectFrom('tasks')
        .select('id')
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', id.data)
        .executeTakeFirst()
    : undefined;
  if (!task) throw new AppError('NOT_FOUND', `No task with id ${input.id}.`);
  const rows = await db
    .selectFrom('task_comments')
    .selectAll()
    .where('tenant_id', '=', ctx.tenantId)
    .where('task_id', '=', task.id)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1000)
    .execute();
  return {
    items: rows.map((row) => ({
      id: row.id,
      author: row.author,
      text: row.text,
      createdAt: row.created_at.toISOString(),
    })),
  };
}

/** Adds a comment to a task, open or closed (kept with its run, deleted with it); operators and admins comment. */
export async function addTaskComment({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: z.input<typeof ZAddTaskComment>;
}): Promise<TTaskComment> {
  assertAllowed(ctx, 'task.answer');
  const { id, text } = ZAddTaskComment.parse(input);
  const author = (await actorEmail(db, ctx)) ?? actorLabel(ctx.actor);
  return db.transaction().execute(async (tx) => {
    const task = await lockTask(tx, { tenantId: ctx.tenantId, id });
    const row = await tx
      .insertInto('task_comments')
      .values({ tenant_id: ctx.tenantId, task_id: task.id, author, text })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit({
      db: tx,
      ctx,
      entry: { action: 'task.commented', targetType: 'task', targetId: id, data: { runId: task.run_id } },
    });
    await notifyTasksChanged(tx, ctx.tenantId);
    return { id: row.id, author: row.author, text: row.text, createdAt: row.created_at.toISOString() };
  });
}
