'use server';

import { defineServerAction } from '@/server/server-actions/define-server-action';
import { completeTask, ZCompleteTask } from '@/server/tasks/complete-task';

/** Answers a task from the inbox; field errors come back per form field (data.amount …). */
export const completeTaskAction = defineServerAction(
  { permission: 'task.answer', input: ZCompleteTask, revalidate: ['/inbox', '/runs'] },
  ({ db, ctx, input }) => completeTask({ db, ctx, input }),
);
