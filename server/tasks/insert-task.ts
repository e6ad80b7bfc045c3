import 'server-only';
import type { Tx } from '@/server/db/database';
import type { TWaitRequest } from '@/server/runtime/nodes/node-result';
import { scheduleTaskTimers } from '@/server/tasks/task-timers';
import { notifyTasksChanged } from '@/server/tasks/tasks-changed';

type TTaskRequest = Extract<TWaitRequest, { kind: 'task' }>;

/**
 * Writes the inbox row of a task wait, in the batch that creates the wait (wait-store's
 * createWait), with the SPEC §10 rules it is answered under.
 */
export async function insertTask(
  tx: Tx,
  {
    tenantId,
    runId,
    waitId,
    stepId,
    stepPath,
    request,
    dueAt,
  }: {
    tenantId: string;
    runId: string;
    waitId: string;
    stepId: string;
    stepPath: string;
    request: TTaskRequest;
    /** When the wait times out, if it does. */
    dueAt: Date | null;
  },
): Promise<void> {
  const task = request.task;
  const createdAt = new Date();
  const row = await tx
    .insertInto('tasks')
    .values({
      tenant_id: tenantId,
      run_id: runId,
      wait_id: waitId,
      step_id: stepId,
      step_path: stepPath,
      title: task.title,
      description: task.description,
      form: JSON.stringify(task.form),
      outcomes: task.outcomes,
      assignee: JSON.stringify(task.assignee),
      status: 'open',
      due_at: task.dueInMs ? new Date(createdAt.getTime() + task.dueInMs) : dueAt,
      approvals: task.approvals ? JSON.stringify(task.approvals) : null,
      allow_self_approval: task.allowSelfApproval,
      context: task.context === null || task.context === undefined ? null : JSON.stringify(task.context),
      escalation: task.escalation.length > 0 ? JSON.stringify(task.escalation) : null,
      notify: task.notify,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await scheduleTaskTimers(tx, { taskId: row.id, createdAt, notify: task.notify, escalation: task.escalation });
  await notifyTasksChanged(tx, tenantId);
}
