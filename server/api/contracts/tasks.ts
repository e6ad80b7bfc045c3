import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZCompleteTaskBody } from '@/server/tasks/complete-task';
import { ZListTasks, ZTaskCounts } from '@/server/tasks/list-tasks';
import { ZTaskId, ZTaskRecord } from '@/server/tasks/task-record';
import { ZReassignTaskBody } from '@/server/tasks/reassign-task';
import { ZAddTaskCommentBody, ZTaskComment } from '@/server/tasks/task-comments';
import { ZAnswerTasksInBulk, ZBulkAnswerResult } from '@/server/tasks/answer-tasks-in-bulk';
import { ZOpenTaskCount } from '@/server/tasks/stream-open-task-count';

const tag = 'Tasks';

export const listTasksContract = defineContract({
  operationId: 'listTasks',
  method: 'GET',
  path: '/tasks',
  summary:
    'Human tasks newest first or by due time (status, mine, assignedTo=me|<email>, workflow, q, overdue, claimed, sort=created|due), with the inbox counts',
  tag,
  permission: 'run.read',
  query: ZListTasks,
  response: z.object({ items: z.array(ZTaskRecord), nextCursor: z.string().nullable(), counts: ZTaskCounts }),
});

export const getTaskContract = defineContract({
  operationId: 'getTask',
  method: 'GET',
  path: '/tasks/{id}',
  summary: 'One task with its form, outcomes, assignee and answer',
  tag,
  permission: 'run.read',
  params: z.object({ id: ZTaskId }),
  response: ZTaskRecord,
  errors: ['NOT_FOUND'],
});

export const completeTaskContract = defineContract({
  operationId: 'completeTask',
  method: 'POST',
  path: '/tasks/{id}/complete',
  summary:
    'Answer a task with {outcome, data}: 422 naming the fields that do not fit its form, 403 when not its assignee, 409 when already answered',
  tag,
  permission: 'task.answer',
  params: z.object({ id: ZTaskId }),
  body: ZCompleteTaskBody,
  response: ZTaskRecord,
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const claimTaskContract = defineContract({
  operationId: 'claimTask',
  method: 'POST',
  path: '/tasks/{id}/claim',
  summary: 'Claim an open task: then only you (or an admin) answer it; 409 when someone else holds it',
  tag,
  permission: 'task.answer',
  params: z.object({ id: ZTaskId }),
  response: ZTaskRecord,
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const releaseTaskContract = defineContract({
  operationId: 'releaseTask',
  method: 'POST',
  path: '/tasks/{id}/release',
  summary: 'Give a claimed task back to its assignees (its claimer or an admin)',
  tag,
  permission: 'task.answer',
  params: z.object({ id: ZTaskId }),
  response: ZTaskRecord,
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const reassignTaskContract = defineContract({
  operationId: 'reassignTask',
  method: 'POST',
  path: '/tasks/{id}/reassign',
  summary: 'Hand an open task to {assignee: {role} | {user} | {users}}; drops its claim, keeps its answers',
  tag,
  permission: 'task.answer',
  params: z.object({ id: ZTaskId }),
  body: ZReassignTaskBody,
  response: ZTaskRecord,
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const listTaskCommentsContract = defineContract({
  operationId: 'listTaskComments',
  method: 'GET',
  path: '/tasks/{id}/comments',
  summary: "A task's comments, oldest first",
  tag,
  permission: 'run.read',
  params: z.object({ id: ZTaskId }),
  response: z.object({ items: z.array(ZTaskComment) }),
  errors: ['NOT_FOUND'],
});

export const addTaskCommentContract = defineContract({
  operationId: 'addTaskComment',
  method: 'POST',
  path: '/tasks/{id}/comments',
  summary: 'Comment on a task: {text}',
  tag,
  permission: 'task.answer',
  params: z.object({ id: ZTaskId }),
  body: ZAddTaskCommentBody,
  response: ZTaskComment,
  successStatus: 201,
  errors: ['NOT_FOUND'],
});

export const answerTasksInBulkContract = defineContract({
  operationId: 'answerTasksInBulk',
  method: 'POST',
  path: '/tasks/bulk-complete',
  summary:
    'Answer up to 100 tasks with one outcome {ids, outcome}, each on its own with every rule of a single answer: 200 with a result per task (answered, or the code and message of its refusal); tasks whose form has a required field are refused',
  tag,
  permission: 'task.answer',
  body: ZAnswerTasksInBulk,
  response: z.object({ results: z.array(ZBulkAnswerResult) }),
});

export const openTaskCountContract = defineContract({
  operationId: 'openTaskCount',
  method: 'GET',
  path: '/tasks/open-count',
  summary:
    "How many open tasks are mine (assigned to me, my role or a delegator): the inbox badge. With Accept: text/event-stream, a live SSE stream of `count` events that follows the tenant's task changes",
  tag,
  permission: 'run.read',
  response: ZOpenTaskCount,
});
