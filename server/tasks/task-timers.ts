import 'server-only';
import { CompiledQuery } from 'kysely';
import { z } from 'zod';
import type { PgBoss } from 'pg-boss';
import type { Db, DbOrTx } from '@/server/db/database';
import { getQueue } from '@/server/runtime/queue/run-queue';
import { getLogger } from '@/server/logging/logger';
import { ZTaskAssigneeRecord, type TTaskAssignee } from '@/server/tasks/task-record';
import { describeAssignee } from '@/server/tasks/task-answerer';
import { lockTask } from '@/server/tasks/lock-task';
import { notifyTasksChanged } from '@/server/tasks/tasks-changed';
import { sendTaskEmail } from '@/server/tasks/send-task-email';
import { createTaskLinks, dropTaskLinks } from '@/server/tasks/task-links';
import { appendRunEvent, notifyRunChanged } from '@/server/runtime/run-store/append-run-event';
import { ZTaskEscalation, type TTaskEscalation } from '@/server/tasks/task-rules';
import { formRequiresInput } from '@/model/tasks/task-form';

/** pg-boss queue of a task's timers: its creation notice (step -1) and each escalation step. */
export const TASK_TIMER_QUEUE = 'pipewright-task-timer';
export const ZTaskTimerJob = z.object({ taskId: z.string().uuid(), step: z.number().int().min(-1).max(9) });
export type TTaskTimerJob = z.infer<typeof ZTaskTimerJob>;

const globalForTimers = globalThis as unknown as { pipewrightTaskQueue?: Promise<PgBoss> };

/** The process's pg-boss with the task timer queue created (once per process; creating it twice is harmless). */
export function taskTimerQueue(): Promise<PgBoss> {
  const ready = (globalForTimers.pipewrightTaskQueue ??= (async () => {
    const boss = await getQueue();
    if (!(await boss.getQueue(TASK_TIMER_QUEUE))) {
      // A job that fails is tried again: a timer must not be lost to one failed send.
      await boss
        .createQueue(TASK_TIMER_QUEUE, {
          retryLimit: 5,
          retryDelay: 30,
          retryBackoff: true,
          deleteAfterSeconds: 86_400,
        })
        .catch(async (error: Error) => {
          if (!(await boss.getQueue(TASK_TIMER_QUEUE))) throw error; // another process created it meanwhile otherwise
        });
    }
    return boss;
  })());
  ready.catch(() => {
    if (globalForTimers.pipewrightTaskQueue === ready) globalForTimers.pipewrightTaskQueue = undefined;
  });
  return ready;
}

/**
 * Schedules a new task's timers in the transaction that creates it (like every other wait's
 * timer: a pg-boss job due at that time, committed with the task or not at all).
 */
export async function scheduleTaskTimers(
  tx: DbOrTx,
  {
    taskId,
    createdAt,
    notify,
    escalation,
  }: { taskId: string; createdAt: Date; notify: boolean; escalation: TTaskEscalation[] },
): Promise<void> {
  if (!notify && escalation.length === 0) return;
  const boss = await taskTimerQueue();
  const db = {
    executeSql: async (text: string, values?: unknown[]) => ({
      rows: (await tx.executeQuery(CompiledQuery.raw(text, values ?? []))).rows as unknown[],
    }),
  };
  if (notify) await boss.send(TASK_TIMER_QUEUE, { taskId, step: -1 } satisfies TTaskTimerJob, { db });
  for (const [step, entry] of escalation.entries())
    await boss.send(TASK_TIMER_QUEUE, { taskId, step } satisfies TTaskTimerJob, {
      db,
      startAfter: new Date(createdAt.getTime() + entry.afterMs),
    });
}

/** The people an assignee names: the listed emails, or the members holding the role. */
async function recipientsOf(db: DbOrTx, tenantId: string, assignee: TTaskAssignee): Promise<string[]> {
  if ('user' in assignee) return [assignee.user];
  if ('users' in assignee) return assignee.users;
  const members = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('users.email')
    .where('memberships.tenant_id', '=', tenantId)
    .where('memberships.role', '=', assignee.role)
    .orderBy('users.email')
    .limit(100)
    .execute();
  return members.map((member) => member.email.toLowerCase());
}

function contextLines(context: unknown): string {
  if (context === null || context === undefined) return '';
  if (typeof context === 'object' && !Array.isArray(context))
    return Object.entries(context as Record<string, unknown>)
      .map(([label, value]) => `${label}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join('\n');
  return JSON.stringify(context, null, 2);
}

/** The email's one-click links; `links` null: the copy the database keeps, with each link masked. */
function linkLines(base: string, links: { outcome: string; token: string }[] | null, needsForm: boolean): string {
  const lead = needsForm
    ? 'Answer it (these links open the form after you sign in):'
    : 'Answer in one click (each link works once, until the task ends; you confirm on the page it opens):';
  if (!links) return `${lead}\n(one-click links sent to the recipient only)`;
  return [lead, ...links.map((link) => `${link.outcome}: ${base}/t/${link.token}`)].join('\n');
}

/**
 * Carries out one timer of a task: the creation notice, or escalation step `step` (reassign
 * and/or email). Only while the task is open and the step has not been carried out yet, so a
 * job that runs twice (a retry, a crash after the commit) changes nothing the second time.
 */
export async function runTaskTimer({ db, job }: { db: Db; job: TTaskTimerJob }): Promise<'done' | 'skipped'> {
  const row = await db.selectFrom('tasks').select(['tenant_id']).where('id', '=', job.taskId).executeTakeFirst();
  if (!row) return 'skipped'; // deleted with its run
  const outcome = await db.transaction().execute(async (tx) => {
    const task = await lockTask(tx, { tenantId: row.tenant_id, id: job.taskId });
    if (task.status !== 'open') return null;
    if (job.step === -1) return { task, notify: task.notify === true, reassigned: false };
    const steps = z.array(ZTaskEscalation).parse(task.escalation ?? []);
    const entry = steps[job.step];
    if (!entry || (task.escalated ?? 0) > job.step) return null;
    if (entry.assignee)
      await tx
        .updateTable('tasks')
        .set({ assignee: JSON.stringify(entry.assignee), claimed_by: null, claimed_at: null })
        .where('id', '=', task.id)
        .execute();
    await tx
      .updateTable('tasks')
      .set({ escalated: job.step + 1 })
      .where('id', '=', task.id)
      .execute();
    await tx
      .insertInto('audit_log')
      .values({
        tenant_id: task.tenant_id,
        actor_type: 'system',
        actor_id: null,
        actor_label: 'escalation',
        action: 'task.escalated',
        target_type: 'task',
        target_id: task.id,
        data: JSON.stringify({ runId: task.run_id, step: job.step, from: task.assignee, to: entry.assignee ?? null }),
      })
      .execute();
    // The run's own timeline says so too (the run page shows it), with the audit entry above.
    await appendRunEvent(tx, {
      runId: task.run_id,
      tenantId: task.tenant_id,
      type: 'task.escalated',
      stepId: task.step_id,
      data: { taskId: task.id, step: job.step, to: entry.assignee ?? null, notified: entry.notify === true },
    });
    await notifyRunChanged(tx, task.run_id);
    await notifyTasksChanged(tx, task.tenant_id);
    const assignee = entry.assignee ?? task.assignee;
    return { task: { ...task, assignee }, notify: entry.notify === true, reassigned: entry.assignee !== undefined };
  });
  if (!outcome) return 'skipped';
  if (outcome.notify) {
    const { task } = outcome;
    const assignee = ZTaskAssigneeRecord.parse(task.assignee);
    const base = (process.env.NEXTAUTH_URL ?? 'http://localhost:3000').replace(/\/$/, '');
    const lead =
      job.step === -1
        ? `A task is waiting for you (assigned to ${describeAssignee(assignee)}).`
        : `This task has been escalated${outcome.reassigned ? ` to ${describeAssignee(assignee)}` : ''} and is still waiting for an answer.`;
    const text = [
      lead,
      '',
      task.title,
      task.description ? `\n${task.description}` : '',
      contextLines(task.context) ? `\n${contextLines(task.context)}` : '',
      '',
      `Outcomes: ${task.outcomes.join(', ')}`,
      task.due_at ? `Due: ${task.due_at.toISOString()}` : '',
      '',
      `Open it: ${base}/inbox/${task.id}`,
    ]
      .filter((line, index, all) => line !== '' || all[index - 1] !== '')
      .join('\n');
    const subject = `[Pipewright] ${job.step === -1 ? '' : 'Escalated: '}${task.title}`;
    // One-click links only travel by SMTP: a message kept in the Outbox is readable by every
    // member who may read runs, and a link there would let them answer as someone else.
    const withLinks = Boolean(process.env.SMTP_URL);
    for (const to of await recipientsOf(db, task.tenant_id, assignee)) {
      const links = withLinks
        ? await createTaskLinks(db, { tenantId: task.tenant_id, taskId: task.id, outcomes: task.outcomes, email: to })
        : null;
      const sent = await sendTaskEmail({
        db,
        tenantId: task.tenant_id,
        runId: task.run_id,
        key: `task:${task.id}:${job.step}:${to}`,
        email: {
          to,
          subject,
          text: links ? `${text}\n\n${linkLines(base, links, formRequiresInput(task.form))}` : text,
          recordedText: links ? `${text}\n\n${linkLines(base, null, formRequiresInput(task.form))}` : text,
        },
      });
      // Sent before (a job run twice): this person's message already has its links.
      if (links && sent === 'already')
        await dropTaskLinks(
          db,
          links.map((link) => link.token),
        );
    }
  }
  getLogger().debug({ taskId: job.taskId, step: job.step }, 'task timer carried out');
  return 'done';
}
