'use server';

import { defineServerAction } from '@/server/server-actions/define-server-action';
import { claimTask, ZClaimTask } from '@/server/tasks/claim-task';
import { completeTask, ZCompleteTask } from '@/server/tasks/complete-task';
import { reassignTask, ZReassignTask } from '@/server/tasks/reassign-task';
import { releaseTask, ZReleaseTask } from '@/server/tasks/release-task';
import { addTaskComment, ZAddTaskComment } from '@/server/tasks/task-comments';
import { answerTasksInBulk, ZAnswerTasksInBulk } from '@/server/tasks/answer-tasks-in-bulk';

const revalidate = ['/inbox', '/runs'];

/** Answers a task from the inbox; field errors come back per form field (data.amount …). */
export const completeTaskAction = defineServerAction(
  { permission: 'task.answer', input: ZCompleteTask, revalidate },
  ({ db, ctx, input }) => completeTask({ db, ctx, input }),
);

/** Claims a task for the person signed in. */
export const claimTaskAction = defineServerAction(
  { permission: 'task.answer', input: ZClaimTask, revalidate },
  ({ db, ctx, input }) => claimTask({ db, ctx, input }),
);

/** Gives a claimed task back to its assignees. */
export const releaseTaskAction = defineServerAction(
  { permission: 'task.answer', input: ZReleaseTask, revalidate },
  ({ db, ctx, input }) => releaseTask({ db, ctx, input }),
);

/** Hands a task to another role, person or list of people. */
export const reassignTaskAction = defineServerAction(
  { permission: 'task.answer', input: ZReassignTask, revalidate },
  ({ db, ctx, input }) => reassignTask({ db, ctx, input }),
);

/** Adds a comment to a task. */
export const addTaskCommentAction = defineServerAction(
  { permission: 'task.answer', input: ZAddTaskComment, revalidate: ['/inbox'] },
  ({ db, ctx, input }) => addTaskComment({ db, ctx, input }),
);

/** Answers the tasks selected in the inbox with one outcome; a result per task (some may be refused). */
export const answerTasksInBulkAction = defineServerAction(
  { permission: 'task.answer', input: ZAnswerTasksInBulk, revalidate },
  ({ db, ctx, input }) => answerTasksInBulk({ db, ctx, input }),
);
