import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { ZHumanTaskConfig } from '@/server/runtime/nodes/human-task';
import { startRun } from '@/server/runtime/start-run';
import { claimTask } from '@/server/tasks/claim-task';
import { completeTask } from '@/server/tasks/complete-task';
import { runTaskTimer, TASK_TIMER_QUEUE } from '@/server/tasks/task-timers';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let admin: TAuthContext;
let ann: { ctx: TAuthContext; email: string };
let dan: { ctx: TAuthContext; email: string };

beforeAll(async () => {
  t = await createTestDatabase('task_escalation');
  process.env.DATABASE_URL = t.url;
  delete process.env.SMTP_URL;
  admin = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  ann = await addMemberTo({ db: t.db, ctx: admin, role: 'operator' });
  await addMemberTo({ db: t.db, ctx: admin, role: 'operator' });
  dan = await addMemberTo({ db: t.db, ctx: admin, role: 'editor' });
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'escalating',
    document: {
      steps: [
        {
          id: 'approve',
          type: 'human.task',
          config: {
            title: 'Approve the refund',
            form: { type: 'object' },
            outcomes: ['approve', 'reject'],
            assignee: { role: 'operator' },
            context: { Customer: 'ACME', Amount: 90 },
            notify: true,
            dueInMs: 30_000,
            escalation: [
              { afterMs: 60_000, notify: true },
              { afterMs: 120_000, assignee: { user: dan.email.toUpperCase() }, notify: true },
            ],
          },
        },
      ],
    },
  });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function openTask(): Promise<{ runId: string; taskId: string; createdAt: Date }> {
  const { runId } = await startRun({
    tenantId: admin.tenantId,
    workflowKey: 'escalating',
    input: {},
    trigger: { type: 'api' },
  });
  expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
  const row = await t.db
    .selectFrom('tasks')
    .select(['id', 'created_at'])
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow();
  return { runId, taskId: row.id, createdAt: row.created_at };
}

const emails = (taskId: string) =>
  t.db
    .selectFrom('email_messages')
    .select(['idempotency_key', 'to_addresses', 'subject', 'text_body'])
    .where('idempotency_key', 'like', `task:${taskId}:%`)
    .orderBy('idempotency_key')
    .execute();

describe('task timers (notify, escalation)', () => {
  it('are pg-boss jobs committed with the task, due at created + afterMs', async () => {
    const { taskId, createdAt } = await openTask();
    const jobs = await sql<{ step: number; start_after: Date }>`
      SELECT (data->>'step')::int AS step, start_after FROM pgboss.job
       WHERE name = ${TASK_TIMER_QUEUE} AND data->>'taskId' = ${taskId} ORDER BY step`.execute(t.db);
    expect(jobs.rows.map((job) => job.step)).toEqual([-1, 0, 1]);
    const offset = (step: number) => jobs.rows[step + 1]!.start_after.getTime() - createdAt.getTime();
    expect(Math.abs(offset(0) - 60_000)).toBeLessThan(1_000);
    expect(Math.abs(offset(1) - 120_000)).toBeLessThan(1_000);
    const task = await t.db.selectFrom('tasks').select('due_at').where('id', '=', taskId).executeTakeFirstOrThrow();
    expect(Math.abs(task.due_at!.getTime() - createdAt.getTime() - 30_000)).toBeLessThan(1_000);
  });

  it('email the assignees once, then reassign and email the new one, each step once', async () => {
    const { taskId } = await openTask();
    await claimTask({ db: t.db, ctx: ann.ctx, input: { id: taskId } });
    expect(await runTaskTimer({ db: t.db, job: { taskId, step: -1 } })).toBe('done');
    expect(await runTaskTimer({ db: t.db, job: { taskId, step: -1 } })).toBe('done');
    const created = await emails(taskId);
    expect(created).toHaveLength(2); // the two operators, once each
    expect(created[0]!.text_body).toContain('Customer: ACME');
    expect(created[0]!.text_body).toContain(`/inbox/${taskId}`);
    expect(await runTaskTimer({ db: t.db, job: { taskId, step: 0 } })).toBe('done');
    expect(await runTaskTimer({ db: t.db, job: { taskId, step: 0 } })).toBe('skipped');
    expect(await emails(taskId)).toHaveLength(4);
    expect(await runTaskTimer({ db: t.db, job: { taskId, step: 1 } })).toBe('done');
    const task = await t.db
      .selectFrom('tasks')
      .select(['assignee', 'claimed_by', 'escalated'])
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow();
    expect(task).toMatchObject({ assignee: { user: dan.email }, claimed_by: null, escalated: 2 });
    const last = (await emails(taskId)).filter((e) => e.idempotency_key.startsWith(`task:${taskId}:1:`));
    expect(last).toEqual([
      expect.objectContaining({ to_addresses: [dan.email], subject: '[Pipewright] Escalated: Approve the refund' }),
    ]);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type'])
      .where('target_id', '=', taskId)
      .where('action', '=', 'task.escalated')
      .execute();
    expect(audit).toHaveLength(2);
    await expect(
      completeTask({ db: t.db, ctx: ann.ctx, input: { id: taskId, outcome: 'approve', data: {} } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('do nothing once the task is answered', async () => {
    const { taskId } = await openTask();
    await completeTask({ db: t.db, ctx: ann.ctx, input: { id: taskId, outcome: 'approve', data: {} } });
    expect(await runTaskTimer({ db: t.db, job: { taskId, step: 0 } })).toBe('skipped');
    expect(await runTaskTimer({ db: t.db, job: { taskId, step: -1 } })).toBe('skipped');
    expect(await emails(taskId)).toEqual([]);
  });

  it('refuses an escalation step that does nothing', () => {
    const result = ZHumanTaskConfig.safeParse({
      title: 'T',
      form: { type: 'object' },
      outcomes: ['ok'],
      assignee: { role: 'operator' },
      escalation: [{ afterMs: 1000 }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('reassigns (assignee) and/or emails');
  });
});
