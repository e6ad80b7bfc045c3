import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { startLoopbackSmtpServer, type TLoopbackSmtpServer } from '@/server/email/loopback-smtp-server';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { answerByTaskLink } from '@/server/tasks/task-links';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { killAllWorkers, startWorker, until, workerOutputs, type TWorkerProcess } from '@/test/faults/fault-harness';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

// Escalation end to end with a live worker process: the run reaches its human.task, the
// worker's task timer queue carries out the creation notice and the escalation step (due at
// once), the task is reassigned, the new assignee is emailed through a real SMTP server, the
// run's timeline records task.escalated, and the emailed one-click link finishes the run.
let t: TTestDatabase;
let smtp: TLoopbackSmtpServer;
let admin: TAuthContext;
let ann: { email: string };
let dan: { email: string };
const workers: TWorkerProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase('task_escalation_worker');
  process.env.DATABASE_URL = t.url;
  smtp = await startLoopbackSmtpServer('127.0.0.1');
  admin = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  ann = await addMemberTo({ db: t.db, ctx: admin, role: 'operator' });
  dan = await addMemberTo({ db: t.db, ctx: admin, role: 'operator' });
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'escalates-live',
    document: {
      steps: [
        {
          id: 'approve',
          type: 'human.task',
          config: {
            title: 'Approve the late invoice',
            form: { type: 'object' },
            outcomes: ['approve', 'reject'],
            assignee: { user: ann.email },
            notify: true,
            dueInMs: 1,
            escalation: [{ afterMs: 1, assignee: { user: dan.email }, notify: true }],
            saveAs: 'vars.decision',
          },
        },
      ],
      output: { $expr: 'vars.decision.outcome' },
    },
  });
});
afterEach(async () => {
  await killAllWorkers();
});
afterAll(async () => {
  await smtp.close();
  await closeExpressionPool();
  await t.close();
});

describe('escalation with a live worker', () => {
  it('reassigns, emails the new assignee with working links and appears on the run timeline', async () => {
    onTestFailed(() => console.error(workerOutputs(workers)));
    workers.push(await startWorker({ url: t.url, env: { SMTP_URL: smtp.url } }));
    const { runId } = await startRun({
      tenantId: admin.tenantId,
      workflowKey: 'escalates-live',
      input: {},
      trigger: { type: 'api' },
    });
    const escalated = await until('the task to be reassigned to Dan', async () => {
      const task = await t.db
        .selectFrom('tasks')
        .select(['id', 'assignee', 'escalated', 'status'])
        .where('run_id', '=', runId)
        .executeTakeFirst();
      return task?.escalated === 1 ? task : null;
    });
    expect(escalated).toMatchObject({ assignee: { user: dan.email }, status: 'open' });
    const events = await t.db
      .selectFrom('run_events')
      .select(['type', 'step_id', 'data'])
      .where('run_id', '=', runId)
      .orderBy('seq')
      .execute();
    expect(events.filter((event) => event.type === 'task.escalated')).toEqual([
      {
        type: 'task.escalated',
        step_id: 'approve',
        data: { taskId: escalated.id, step: 0, to: { user: dan.email }, notified: true },
      },
    ]);
    // Dan is emailed through SMTP, with his own one-click links.
    const mail = await until(
      'the escalation email to Dan',
      () => smtp.messages.find((message) => message.to.includes(dan.email)) ?? null,
    );
    expect(mail.raw).toContain('Escalated: Approve the late invoice');
    const body = mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const token = /\/t\/([A-Za-z0-9_-]{43})/.exec(body.slice(body.indexOf('approve: ')))?.[1];
    expect(token).toBeDefined();
    expect(await answerByTaskLink({ db: t.db, token: token! })).toMatchObject({ kind: 'answered', decided: 'approve' });
    const finished = await until('the run to finish', async () => {
      const run = await t.db.selectFrom('runs').select(['status', 'output']).where('id', '=', runId).executeTakeFirst();
      return run?.status === 'SUCCEEDED' ? run : null;
    });
    expect(finished.output).toBe('approve');
  }, 240_000);
});
