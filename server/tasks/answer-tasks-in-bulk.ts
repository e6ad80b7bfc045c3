import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { toAppError, type AppErrorCode } from '@/model/errors';
import { formRequiresInput } from '@/model/tasks/task-form';
import { completeTask } from '@/server/tasks/complete-task';
import { ZTaskId } from '@/server/tasks/task-record';

export const BULK_ANSWER_LIMIT = 100;

export const ZAnswerTasksInBulk = z.object({
  ids: z
    .array(ZTaskId)
    .min(1, 'choose at least one task')
    .max(BULK_ANSWER_LIMIT, `at most ${BULK_ANSWER_LIMIT} tasks at once`)
    .refine((ids) => new Set(ids).size === ids.length, 'each task once'),
  outcome: z.string().trim().min(1, 'choose an outcome').max(64),
});
export type TAnswerTasksInBulk = z.input<typeof ZAnswerTasksInBulk>;

export const ZBulkAnswerResult = z.object({
  id: z.string(),
  ok: z.boolean(),
  /** The task's outcome once decided (null: still waiting for others), or why it was refused. */
  outcome: z.string().nullable(),
  code: z.string().nullable(),
  message: z.string().nullable(),
});
export type TBulkAnswerResult = z.infer<typeof ZBulkAnswerResult>;

/**
 * Answers several tasks with one outcome (the inbox's bulk answer), each in its own
 * transaction with every rule of a single answer, so one refusal (claimed by someone else,
 * self-approval, already decided, an outcome it does not have) costs only that task: the
 * result says, per task and in the order given, whether it was answered or why not. Tasks
 * whose form has a required field are refused here; they need their form.
 */
export async function answerTasksInBulk({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TAnswerTasksInBulk;
}): Promise<{ results: TBulkAnswerResult[] }> {
  assertAllowed(ctx, 'task.answer');
  const args = ZAnswerTasksInBulk.parse(input);
  const forms = new Map(
    (
      await db
        .selectFrom('tasks')
        .select(['id', 'form'])
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', 'in', args.ids)
        .execute()
    ).map((row) => [row.id, row.form]),
  );
  const results: TBulkAnswerResult[] = [];
  for (const id of args.ids) {
    const refuse = (code: AppErrorCode, message: string) =>
      results.push({ id, ok: false, outcome: null, code, message });
    if (!forms.has(id)) {
      refuse('NOT_FOUND', `No task with id ${id}.`);
      continue;
    }
    if (formRequiresInput(forms.get(id))) {
      refuse('VALIDATION', 'This task asks for more than an outcome: answer it on its own page.');
      continue;
    }
    try {
      const task = await completeTask({ db, ctx, input: { id, outcome: args.outcome, data: {} } });
      results.push({ id, ok: true, outcome: task.outcome, code: null, message: null });
    } catch (error) {
      const appError = toAppError(error);
      if (appError.code === 'INTERNAL') throw error;
      refuse(appError.code, appError.message);
    }
  }
  return { results };
}
