'use server';

import { defineAction } from '@/server/actions/define-action';
import { completeTask, ZCompleteTask } from '@/server/tasks/complete-task';

/** Answers a task from the inbox; field errors come back per form field (data.amount …). */
export const completeTaskAction = defineAction({ permission: 'task.answer', input: ZCompleteTask, revalidate: ['/inbox', '/runs'] }, ({ db, ctx, input }) => completeTask({ db, ctx, input }));
