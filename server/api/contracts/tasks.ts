import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZCompleteTaskBody } from '@/server/tasks/complete-task';
import { ZListTasks, ZTaskCounts } from '@/server/tasks/list-tasks';
import { ZTaskId, ZTaskRecord } from '@/server/tasks/task-record';

const tag = 'Tasks';

export const listTasksContract = defineContract({
  operationId: 'listTasks',
  method: 'GET',
  path: '/tasks',
  summary: 'Human tasks newest first (status=open, mine=true), with the inbox counts',
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
