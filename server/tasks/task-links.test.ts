import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as answerRoute from '@/app/t/[token]/answer/route';
import TaskLinkPage from '@/app/t/[token]/page';
import type { TAuthContext } from '@/server/auth/context';
import { startLoopbackSmtpServer, type TLoopbackSmtpServer } from '@/server/email/loopback-smtp-server';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { startWorkflowRun } from '@/server/runs/start-workflow-run';
import { claimTask } from '@/server/tasks/claim-task';
import { completeTask } from '@/server/tasks/complete-task';
import { SELF_APPROVAL_MESSAGE } from '@/server/tasks/task-answerer';
import { answerByTaskLink, hashLinkToken, readTaskLink } from '@/server/tasks/task-links';
import { runTaskTimer } from '@/server/tasks/task-timers';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

// One-click email links (SPEC §10) against a real SMTP server on loopback: the links are read
// from the messages as received, the way a person's mail client would show them.
let t: TTestDatabase;
let smtp: TLoopbackSmtpServer;
let admin: TAuthContext;
type TPerson = { ctx: TAuthContext; email: string; userId: string };
let ann: TPerson;
let ben: TPerson;
let cat: TPerson;
const savedEnv = { SMTP_URL: process.env.SMTP_URL, PIPEWRIGHT_EGRESS_ALLOW: process.env.PIPEWRIGHT_EGRESS_ALLOW };

const step = (config: Record<string, unknown>) => ({
  steps: [
    {
      id: 'approve',
      type: 'human.task',
      config: {
        title: 'Approve the offsite',
        form: { type: 'object' },
        outcomes: ['approve', 'reject'],
        notify: true,
        ...config,
      },
    },
  ],
});

beforeAll(async () => {
  t = await createTestDatabase('task_links');
  process.env.DATABASE_URL = t.url;
  smtp = await startLoopbackSmtpServer('127.0.0.1');
  process.env.SMTP_URL = smtp.url;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  admin = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  ann = await addMemberTo({ db: t.db, ctx: admin, role: 'operator' });
  ben = await addMemberTo({ db: t.db, ctx: admin, role: 'operator' });
  cat = await addMemberTo({ db: t.db, ctx: admin, role: 'operator' });
  const users = [ann.email, ben.email, cat.email];
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'quorum',
    document: step({ assignee: { users }, approvals: { required: 2 } }),
  });
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'with-form',
    document: step({
      assignee: { users },
      form: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } },
    }),
  });
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'no-self',
    document: step({ assignee: { users: [ann.email, ben.email] }, allowSelfApproval: false }),
  });
});
afterAll(async () => {
  process.env.SMTP_URL = savedEnv.SMTP_URL;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = savedEnv.PIPEWRIGHT_EGRESS_ALLOW;
  if (!savedEnv.SMTP_URL) delete process.env.SMTP_URL;
  if (!savedEnv.PIPEWRIGHT_EGRESS_ALLOW) delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  await smtp.close();
  await closeExpressionPool();
  await t.close();
});

async function openTask(key: string, starter?: TAuthContext): Promise<{ runId: string; taskId: string }> {
  const { runId } = starter
    ? await startWorkflowRun({ db: t.db, ctx: starter, input: { key, input: {} } })
    : await startRun({ tenantId: admin.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
  expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
  const row = await t.db.selectFrom('tasks').select('id').where('run_id', '=', runId).executeTakeFirstOrThrow();
  // The creation notice, as the worker's timer job carries it out.
  expect(await runTaskTimer({ db: t.db, job: { taskId: row.id, step: -1 } })).toBe('done');
  return { runId, taskId: row.id };
}

/** The body of a received message with quoted-printable soft breaks and escapes undone. */
function bodyOf(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The one-click links the SMTP server received for a person and task, by outcome. */
function linksFor(email: string, taskId: string): Record<string, string> {
  const mail = smtp.messages.find((m) => m.to.includes(email) && bodyOf(m.raw).includes(`/inbox/${taskId}`));
  if (!mail) throw new Error(`no message to ${email} for task ${taskId}`);
  const links: Record<string, string> = {};
  for (const match of bodyOf(mail.raw).matchAll(/^(\w+): http:\/\/[^/\s]+\/t\/([A-Za-z0-9_-]{43})$/gm))
    links[match[1]!] = match[2]!;
  return links;
}

const taskRow = (taskId: string) =>
  t.db
    .selectFrom('tasks')
    .select(['status', 'outcome', 'completed_by'])
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow();

describe('one-click links', () => {
  it('are sent per person and outcome, kept only hashed, and work once', async () => {
    const { taskId } = await openTask('quorum');
    const annLinks = linksFor(ann.email, taskId);
    expect(Object.keys(annLinks)).toEqual(['approve', 'reject']);
    // Neither the links table nor the kept copy of the message holds a token.
    const rows = await t.db.selectFrom('task_links').selectAll().where('task_id', '=', taskId).execute();
    expect(rows).toHaveLength(6);
    expect(rows.map((row) => row.token_hash)).toContain(hashLinkToken(annLinks.approve!));
    const stored = JSON.stringify(rows) + JSON.stringify(await t.db.selectFrom('email_messages').selectAll().execute());
    for (const token of Object.values(annLinks)) expect(stored).not.toContain(token);

    // Opening the page answers nothing (mail scanners open links).
    expect(await readTaskLink({ db: t.db, token: annLinks.approve! })).toMatchObject({
      state: 'ready',
      outcome: 'approve',
      email: ann.email,
    });
    expect((await taskRow(taskId)).status).toBe('open');

    expect(await answerByTaskLink({ db: t.db, token: annLinks.approve! })).toMatchObject({
      kind: 'answered',
      decided: null,
    });
    const answers = await t.db
      .selectFrom('task_answers')
      .select(['by', 'outcome'])
      .where('task_id', '=', taskId)
      .execute();
    expect(answers).toEqual([{ by: ann.email, outcome: 'approve' }]);
    expect(await readTaskLink({ db: t.db, token: annLinks.approve! })).toMatchObject({ state: 'used' });
    expect(await answerByTaskLink({ db: t.db, token: annLinks.approve! })).toEqual({
      kind: 'refused',
      message: 'This link was already used; each link answers once.',
    });
    // Her other link is hers too: each person answers once.
    expect(await answerByTaskLink({ db: t.db, token: annLinks.reject! })).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('You already answered this task (approve)'),
    });

    // Ben's link answers as Ben and reaches the quorum; Cat's then finds the task decided.
    expect(await answerByTaskLink({ db: t.db, token: linksFor(ben.email, taskId).approve! })).toMatchObject({
      kind: 'answered',
      decided: 'approve',
    });
    expect(await taskRow(taskId)).toEqual({ status: 'completed', outcome: 'approve', completed_by: ben.email });
    const catLink = linksFor(cat.email, taskId).reject!;
    expect(await readTaskLink({ db: t.db, token: catLink })).toMatchObject({ state: 'closed', decided: 'approve' });
    expect(await answerByTaskLink({ db: t.db, token: catLink })).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('already decided (approve)'),
    });
    expect(await t.db.selectFrom('task_answers').select('by').where('task_id', '=', taskId).execute()).toHaveLength(2);
  });

  it('of one person clicked twice at once answer once', async () => {
    const { taskId } = await openTask('quorum');
    const token = linksFor(cat.email, taskId).approve!;
    const results = await Promise.all([1, 2, 3].map(() => answerByTaskLink({ db: t.db, token })));
    expect(results.filter((result) => result.kind === 'answered')).toHaveLength(1);
    expect(await t.db.selectFrom('task_answers').select('by').where('task_id', '=', taskId).execute()).toEqual([
      { by: cat.email },
    ]);
  });

  it('that are forged or mangled answer nothing, with a clear refusal', async () => {
    expect(await readTaskLink({ db: t.db, token: 'x'.repeat(43) })).toEqual({ state: 'invalid' });
    expect(await readTaskLink({ db: t.db, token: '../../etc' })).toEqual({ state: 'invalid' });
    expect(await answerByTaskLink({ db: t.db, token: 'x'.repeat(43) })).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('not valid'),
    });
  });

  it('keep the rules: a claim by someone else and self-approval refuse, leaving the link unspent', async () => {
    const claimed = await openTask('no-self');
    await claimTask({ db: t.db, ctx: ben.ctx, input: { id: claimed.taskId } });
    const annLink = linksFor(ann.email, claimed.taskId).approve!;
    expect(await answerByTaskLink({ db: t.db, token: annLink })).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining(`claimed by ${ben.email}`),
    });
    expect(await readTaskLink({ db: t.db, token: annLink })).toMatchObject({ state: 'ready' });

    const own = await openTask('no-self', ann.ctx);
    const ownLink = linksFor(ann.email, own.taskId).approve!;
    expect(await answerByTaskLink({ db: t.db, token: ownLink })).toEqual({
      kind: 'refused',
      message: SELF_APPROVAL_MESSAGE,
    });
    expect(await readTaskLink({ db: t.db, token: ownLink })).toMatchObject({ state: 'ready' });
    expect((await taskRow(own.taskId)).status).toBe('open');
  });

  it('of a member who lost the right to answer refuse', async () => {
    const { taskId } = await openTask('quorum');
    const token = linksFor(ann.email, taskId).approve!;
    await t.db.updateTable('memberships').set({ role: 'viewer' }).where('user_id', '=', ann.userId).execute();
    try {
      expect(await answerByTaskLink({ db: t.db, token })).toMatchObject({ kind: 'refused' });
      expect((await taskRow(taskId)).status).toBe('open');
    } finally {
      await t.db.updateTable('memberships').set({ role: 'operator' }).where('user_id', '=', ann.userId).execute();
    }
  });

  it('of a task answered in the inbox stop working when it ends', async () => {
    const { taskId } = await openTask('no-self');
    const token = linksFor(ann.email, taskId).reject!;
    await completeTask({ db: t.db, ctx: ben.ctx, input: { id: taskId, outcome: 'approve', data: {} } });
    expect(await readTaskLink({ db: t.db, token })).toMatchObject({ state: 'closed' });
    expect(await answerByTaskLink({ db: t.db, token })).toMatchObject({ kind: 'refused' });
  });

  it('of a task whose form has a required field open the form instead of answering', async () => {
    const { taskId } = await openTask('with-form');
    const token = linksFor(ann.email, taskId).approve!;
    expect(await readTaskLink({ db: t.db, token })).toMatchObject({ state: 'needs-form', taskId });
    expect(await answerByTaskLink({ db: t.db, token })).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('sign in'),
    });
    expect((await taskRow(taskId)).status).toBe('open');
    // The link's page sends the browser to the task's form (sign-in first, without a session).
    const opened = await TaskLinkPage({ params: Promise.resolve({ token }), searchParams: Promise.resolve({}) }).then(
      () => null,
      (error: unknown) => error as { digest?: string },
    );
    expect(opened?.digest).toContain(`/inbox/${taskId}`);
  });

  it('are answered by POST /t/<token>/answer, which sends the browser back to the page', async () => {
    const { taskId } = await openTask('quorum');
    const token = linksFor(ben.email, taskId).reject!;
    const post = () =>
      answerRoute.POST(new Request(`http://localhost/t/${token}/answer`, { method: 'POST' }), {
        params: Promise.resolve({ token }),
      });
    const first = await post();
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toMatch(new RegExp(`/t/${token}$`));
    expect(await taskRow(taskId)).toMatchObject({ status: 'completed', outcome: 'reject' }); // rejectWhen "any"
    const second = await post();
    expect(second.status).toBe(303);
    expect(new URL(second.headers.get('location')!).searchParams.get('refused')).toContain('already used');
  });

  it('are not made without SMTP: the Outbox, readable by every member, gets the task link only', async () => {
    delete process.env.SMTP_URL;
    try {
      const { taskId } = await openTask('quorum');
      expect(await t.db.selectFrom('task_links').select('id').where('task_id', '=', taskId).execute()).toEqual([]);
      const kept = await t.db
        .selectFrom('email_messages')
        .select(['text_body', 'delivery'])
        .where('idempotency_key', 'like', `task:${taskId}:%`)
        .execute();
      expect(kept).toHaveLength(3);
      for (const message of kept) {
        expect(message).toMatchObject({ delivery: 'outbox' });
        expect(message.text_body).toContain(`/inbox/${taskId}`);
        expect(message.text_body).not.toContain('/t/');
      }
    } finally {
      process.env.SMTP_URL = smtp.url;
    }
  });
});
