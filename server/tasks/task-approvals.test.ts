import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as startRoute from '@/app/api/v1/workflows/[key]/runs/route';
import * as tasksRoute from '@/app/api/v1/tasks/route';
import * as taskRoute from '@/app/api/v1/tasks/[id]/route';
import * as completeRoute from '@/app/api/v1/tasks/[id]/complete/route';
import * as claimRoute from '@/app/api/v1/tasks/[id]/claim/route';
import * as releaseRoute from '@/app/api/v1/tasks/[id]/release/route';
import * as reassignRoute from '@/app/api/v1/tasks/[id]/reassign/route';
import * as commentsRoute from '@/app/api/v1/tasks/[id]/comments/route';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { ZHumanTaskConfig } from '@/server/runtime/nodes/human-task';
import { deleteRunTrees } from '@/server/runtime/run-store/delete-run-trees';
import { startRun } from '@/server/runtime/start-run';
import { createApiToken } from '@/server/tokens/create-api-token';
import { completeTask } from '@/server/tasks/complete-task';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { callRoute, errorCode } from '@/test/route-call';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
type TPerson = { ctx: TAuthContext; email: string; token: string };
let admin: TPerson;
let ann: TPerson;
let ben: TPerson;
let cat: TPerson;
let dan: TPerson;
let viewer: TPerson;
let stranger: TPerson;

const form = { type: 'object', properties: { note: { type: 'string' } } };
const taskStep = (config: Record<string, unknown>) => ({
  steps: [
    {
      id: 'approve',
      type: 'human.task',
      config: {
        title: 'Approve the purchase',
        form,
        outcomes: ['approve', 'reject'],
        saveAs: 'vars.answer',
        ...config,
      },
    },
  ],
  output: { $expr: 'vars.answer' },
});

async function person(ctx: TAuthContext, email: string): Promise<TPerson> {
  const { token } = await createApiToken({ db: t.db, ctx, input: { name: `t-${email}`, role: ctx.role } });
  return { ctx, email, token };
}

beforeAll(async () => {
  t = await createTestDatabase('task_approvals');
  process.env.DATABASE_URL = t.url;
  const a = await createTenantWithMember({ db: t.db, role: 'admin' });
  admin = await person(a.ctx, a.email);
  for (const [name, role] of [
    ['ann', 'operator'],
    ['ben', 'operator'],
    ['cat', 'operator'],
    ['dan', 'operator'],
    ['viewer', 'viewer'],
  ] as const) {
    const member = await addMemberTo({ db: t.db, ctx: a.ctx, role });
    const p = await person(member.ctx, member.email);
    if (name === 'ann') ann = p;
    if (name === 'ben') ben = p;
    if (name === 'cat') cat = p;
    if (name === 'dan') dan = p;
    if (name === 'viewer') viewer = p;
  }
  const s = await createTenantWithMember({ db: t.db, role: 'admin' });
  stranger = await person(s.ctx, s.email);
  const trio = [ann.email, ben.email, cat.email];
  await publishWorkflow({
    db: t.db,
    ctx: admin.ctx,
    key: 'two-of-three',
    document: taskStep({ assignee: { users: trio }, approvals: { required: 2 } }),
  });
  await publishWorkflow({
    db: t.db,
    ctx: admin.ctx,
    key: 'reject-at-two',
    document: taskStep({ assignee: { users: trio }, approvals: { required: 2, rejectWhen: 2 } }),
  });
  await publishWorkflow({
    db: t.db,
    ctx: admin.ctx,
    key: 'all-of-two',
    document: taskStep({ assignee: { users: [ann.email, ben.email] }, approvals: { required: 'all', rejectWhen: 2 } }),
  });
  await publishWorkflow({
    db: t.db,
    ctx: admin.ctx,
    key: 'no-self',
    document: taskStep({ assignee: { role: 'operator' }, allowSelfApproval: false }),
  });
  await publishWorkflow({
    db: t.db,
    ctx: admin.ctx,
    key: 'due-at-once',
    document: taskStep({ assignee: { role: 'operator' }, dueInMs: 1 }),
  });
  await publishWorkflow({
    db: t.db,
    ctx: admin.ctx,
    key: 'by-role',
    document: taskStep({
      assignee: { role: 'operator' },
      context: { $expr: "{'Employee': payload.employee, 'Amount': payload.amount}" },
    }),
  });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function openTask(key: string, input: unknown = {}): Promise<{ runId: string; taskId: string }> {
  const { runId } = await startRun({ tenantId: admin.ctx.tenantId, workflowKey: key, input, trigger: { type: 'api' } });
  expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
  const row = await t.db.selectFrom('tasks').select('id').where('run_id', '=', runId).executeTakeFirstOrThrow();
  return { runId, taskId: row.id };
}

const answer = (who: TPerson, id: string, outcome: string, data: unknown = {}) =>
  callRoute(completeRoute.POST, {
    method: 'POST',
    path: `/tasks/${id}/complete`,
    token: who.token,
    body: { outcome, data },
    params: { id },
  });
const post = (route: typeof claimRoute.POST, who: TPerson, id: string, action: string, body?: unknown) =>
  callRoute(route, { method: 'POST', path: `/tasks/${id}/${action}`, token: who.token, params: { id }, body });
const getTask = (who: TPerson, id: string) =>
  callRoute(taskRoute.GET, { path: `/tasks/${id}`, token: who.token, params: { id } });

describe('quorum (SPEC §10 approvals)', () => {
  it('completes when the required people approve, each once, saving every answer', async () => {
    const { runId, taskId } = await openTask('two-of-three');
    const first = await answer(ann, taskId, 'approve', { note: 'fine by me' });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      status: 'open',
      approvals: { required: 2 },
      answers: [{ outcome: 'approve', by: ann.email, data: { note: 'fine by me' } }],
      tally: { approvals: 1, required: 2, decided: null },
    });
    const again = await answer(ann, taskId, 'reject');
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.json)).toContain('already answered');
    const outsider = await answer(dan, taskId, 'approve');
    expect(outsider.status).toBe(403);
    expect(JSON.stringify(outsider.json)).toContain(ann.email);
    expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
    const second = await answer(ben, taskId, 'approve');
    expect(second.json).toMatchObject({ status: 'completed', outcome: 'approve', completedBy: ben.email });
    const late = await answer(cat, taskId, 'reject');
    expect(late.status).toBe(409);
    expect(JSON.stringify(late.json)).toContain('your answer was not recorded');
    expect((await getTask(ann, taskId)).json?.answers).toHaveLength(2);
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    const run = await t.db.selectFrom('runs').select('output').where('id', '=', runId).executeTakeFirstOrThrow();
    expect(run.output).toMatchObject({
      outcome: 'approve',
      completedBy: ben.email,
      answers: [
        { outcome: 'approve', by: ann.email, data: { note: 'fine by me' } },
        { outcome: 'approve', by: ben.email, data: {} },
      ],
    });
  });

  it('is decided against by rejectWhen people, or once approval can no longer be reached', async () => {
    const counted = await openTask('reject-at-two');
    expect((await answer(ann, counted.taskId, 'reject')).json).toMatchObject({
      status: 'open',
      tally: { rejections: 1, rejectAt: 2, required: 2, decided: null },
    });
    expect((await answer(ben, counted.taskId, 'reject')).json).toMatchObject({
      status: 'completed',
      outcome: 'reject',
    });
    const unreachable = await openTask('all-of-two');
    expect((await answer(ann, unreachable.taskId, 'reject')).json).toMatchObject({
      status: 'completed',
      outcome: 'reject',
      completedBy: ann.email,
    });
  });

  it('refuses rules that cannot hold, at publish', () => {
    const base = { title: 'T', form: { type: 'object' }, outcomes: ['ok', 'no'] };
    const all = ZHumanTaskConfig.safeParse({ ...base, assignee: { role: 'operator' }, approvals: { required: 'all' } });
    expect(all.success).toBe(false);
    expect(all.error?.issues[0]?.path).toEqual(['approvals', 'required']);
    const tooMany = ZHumanTaskConfig.safeParse({
      ...base,
      assignee: { users: ['a@example.com'] },
      approvals: { required: 2 },
    });
    expect(tooMany.error?.issues[0]?.message).toContain('cannot come from the 1 people');
    expect(
      ZHumanTaskConfig.safeParse({ ...base, assignee: { user: 'a@example.com' }, approvals: { required: 2 } }).success,
    ).toBe(false);
  });

  it('lets exactly one of two people answering the last needed approval at once complete the task', async () => {
    const { runId, taskId } = await openTask('two-of-three');
    await answer(ann, taskId, 'approve');
    // The barrier: hold the run row (the first lock every answer takes), send both answers,
    // wait until the database shows both blocked behind it, then let them go together.
    const holder = await t.db.connection().execute(async (conn) => {
      await sql`BEGIN`.execute(conn);
      await sql`SELECT 1 FROM runs WHERE id = ${runId} FOR UPDATE`.execute(conn);
      const racing = [
        completeTask({ db: t.db, ctx: ben.ctx, input: { id: taskId, outcome: 'approve', data: {} } }),
        completeTask({ db: t.db, ctx: cat.ctx, input: { id: taskId, outcome: 'approve', data: {} } }),
      ].map((p) =>
        p.then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      );
      for (;;) {
        const waiting = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%FOR UPDATE%'`.execute(
          t.db,
        );
        if (waiting.rows[0]!.n >= 2) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await sql`COMMIT`.execute(conn);
      return Promise.all(racing);
    });
    const won = holder.filter((r) => r.ok);
    const lost = holder.filter((r) => !r.ok);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ error: { code: 'CONFLICT' } });
    expect(String((lost[0] as { error: Error }).error.message)).toContain('your answer was not recorded');
    const answers = await t.db.selectFrom('task_answers').select('by').where('task_id', '=', taskId).execute();
    expect(answers).toHaveLength(2);
    const completed = await t.db
      .selectFrom('run_events')
      .select('seq')
      .where('run_id', '=', runId)
      .where('type', '=', 'task.completed')
      .execute();
    expect(completed).toHaveLength(1);
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
  });
});

describe('self-approval', () => {
  it('refuses the person or the token that started the run, with 403 and why', async () => {
    const byToken = await callRoute(startRoute.POST, {
      method: 'POST',
      path: '/workflows/no-self/runs',
      token: ann.token,
      body: {},
      params: { key: 'no-self' },
    });
    const runId = String(byToken.json?.runId);
    expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
    const { id: taskId } = await t.db
      .selectFrom('tasks')
      .select('id')
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    const selfByToken = await answer(ann, taskId, 'approve');
    expect(selfByToken.status).toBe(403);
    expect(JSON.stringify(selfByToken.json)).toContain('allowSelfApproval');
    // The token's owner, signed in, is the same person.
    await expect(
      completeTask({ db: t.db, ctx: ann.ctx, input: { id: taskId, outcome: 'approve', data: {} } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('You started this run') });
    expect((await getTask(ann, taskId)).json).toMatchObject({ allowSelfApproval: false, status: 'open' });
    expect((await answer(ben, taskId, 'approve')).json).toMatchObject({ status: 'completed', completedBy: ben.email });
  });
});

describe('claim, release, reassign', () => {
  it('only the claimer (or an admin) answers a claimed task; release and reassign hand it on', async () => {
    const { taskId } = await openTask('by-role', { employee: 'Eve', amount: 12 });
    const claimed = await post(claimRoute.POST, ann, taskId, 'claim');
    expect(claimed.json).toMatchObject({ claimedBy: ann.email });
    expect((await post(claimRoute.POST, ann, taskId, 'claim')).status).toBe(200);
    const taken = await post(claimRoute.POST, ben, taskId, 'claim');
    expect(taken.status).toBe(409);
    expect(JSON.stringify(taken.json)).toContain(`claimed by ${ann.email}`);
    expect((await answer(ben, taskId, 'approve')).status).toBe(403);
    expect((await post(releaseRoute.POST, ben, taskId, 'release')).status).toBe(403);
    expect((await post(claimRoute.POST, viewer, taskId, 'claim')).status).toBe(403);
    expect((await post(claimRoute.POST, stranger, taskId, 'claim')).status).toBe(404);
    const listed = await callRoute(tasksRoute.GET, { path: '/tasks?claimed=true', token: admin.token });
    expect((listed.json?.items as { id: string; claimedBy: string }[]).find((x) => x.id === taskId)?.claimedBy).toBe(
      ann.email,
    );
    expect((await post(releaseRoute.POST, ann, taskId, 'release')).json).toMatchObject({ claimedBy: null });
    expect((await post(releaseRoute.POST, ann, taskId, 'release')).status).toBe(409);
    await post(claimRoute.POST, ben, taskId, 'claim');
    const bad = await post(reassignRoute.POST, ben, taskId, 'reassign', { assignee: { user: 'not-an-email' } });
    expect(bad.status).toBe(422);
    expect((await post(reassignRoute.POST, ann, taskId, 'reassign', { assignee: { user: dan.email } })).status).toBe(
      403,
    );
    const moved = await post(reassignRoute.POST, ben, taskId, 'reassign', {
      assignee: { user: dan.email.toUpperCase() },
    });
    expect(moved.json).toMatchObject({ assignee: { user: dan.email }, claimedBy: null });
    expect((await answer(ann, taskId, 'approve')).status).toBe(403);
    expect((await answer(dan, taskId, 'approve')).json).toMatchObject({ status: 'completed', completedBy: dan.email });
    expect((await post(claimRoute.POST, dan, taskId, 'claim')).status).toBe(409);
  });

  it('lets an admin answer a claimed task; refuses claiming a quorum and reassigning below it', async () => {
    const { taskId } = await openTask('by-role');
    await post(claimRoute.POST, ann, taskId, 'claim');
    expect((await answer(admin, taskId, 'approve')).json).toMatchObject({ status: 'completed' });
    const quorum = await openTask('two-of-three');
    const claim = await post(claimRoute.POST, ann, quorum.taskId, 'claim');
    expect(claim.status).toBe(409);
    expect(JSON.stringify(claim.json)).toContain('2 people');
    const few = await post(reassignRoute.POST, admin, quorum.taskId, 'reassign', { assignee: { users: [dan.email] } });
    expect(few.status).toBe(422);
    const toRole = await openTask('all-of-two');
    expect(
      (await post(reassignRoute.POST, admin, toRole.taskId, 'reassign', { assignee: { role: 'operator' } })).status,
    ).toBe(422);
  });
});

describe('comments and context', () => {
  it('keeps comments with the task, for everyone who can see it, and deletes them with the run', async () => {
    const { runId, taskId } = await openTask('by-role', { employee: 'Eve', amount: 12 });
    expect((await getTask(viewer, taskId)).json).toMatchObject({ context: { Employee: 'Eve', Amount: 12 } });
    const empty = await post(commentsRoute.POST, ann, taskId, 'comments', { text: '   ' });
    expect(empty.status).toBe(422);
    const added = await post(commentsRoute.POST, ann, taskId, 'comments', { text: 'Is the amount right?' });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ author: ann.email, text: 'Is the amount right?' });
    expect((await post(commentsRoute.POST, viewer, taskId, 'comments', { text: 'hi' })).status).toBe(403);
    expect((await post(commentsRoute.POST, stranger, taskId, 'comments', { text: 'hi' })).status).toBe(404);
    const list = (who: TPerson) =>
      callRoute(commentsRoute.GET, { path: `/tasks/${taskId}/comments`, token: who.token, params: { id: taskId } });
    expect((await list(viewer)).json).toMatchObject({ items: [{ author: ann.email, text: 'Is the amount right?' }] });
    expect(errorCode((await list(stranger)).json)).toBe('NOT_FOUND');
    await answer(ben, taskId, 'reject');
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    await t.db.transaction().execute((tx) => deleteRunTrees(tx, [runId]));
    expect(await t.db.selectFrom('task_comments').select('id').where('task_id', '=', taskId).execute()).toEqual([]);
  });
});

describe('the inbox as a work queue', () => {
  it('filters by assignee, workflow, words, claim and due time, and sorts by due time', async () => {
    const named = await openTask('two-of-three');
    const roleTask = await openTask('due-at-once');
    const list = async (who: TPerson, query: string) =>
      (
        (await callRoute(tasksRoute.GET, { path: `/tasks?${query}`, token: who.token })).json?.items as {
          id: string;
        }[]
      ).map((x) => x.id);
    expect(await list(ann, 'assignedTo=me&status=open')).toEqual(
      expect.arrayContaining([named.taskId, roleTask.taskId]),
    );
    expect(await list(dan, 'assignedTo=me&status=open')).not.toContain(named.taskId);
    expect(await list(admin, `assignedTo=${encodeURIComponent(cat.email)}&status=open`)).toContain(named.taskId);
    expect(await list(admin, `assignedTo=${encodeURIComponent(dan.email)}&status=open`)).not.toContain(named.taskId);
    expect(await list(admin, 'workflow=due-at-once&status=open')).toEqual([roleTask.taskId]);
    expect(await list(admin, 'q=PURCHASE&status=open')).toContain(named.taskId);
    expect(await list(admin, 'q=nothing-like-this')).toEqual([]);
    expect(await list(admin, 'q=50%25')).toEqual([]);
    const due = (await getTask(admin, roleTask.taskId)).json?.dueAt;
    expect(Date.parse(String(due))).toBeLessThanOrEqual(Date.now());
    expect(await list(admin, 'overdue=true')).toEqual([roleTask.taskId]);
    const byDue = await list(admin, 'status=open&sort=due');
    expect(byDue[0]).toBe(roleTask.taskId);
    const page = await callRoute(tasksRoute.GET, { path: '/tasks?status=open&sort=due&limit=1', token: admin.token });
    const next = await callRoute(tasksRoute.GET, {
      path: `/tasks?status=open&sort=due&limit=1&cursor=${String(page.json?.nextCursor)}`,
      token: admin.token,
    });
    expect((next.json?.items as { id: string }[])[0]?.id).not.toBe(roleTask.taskId);
    const invalid = await callRoute(tasksRoute.GET, { path: '/tasks?assignedTo=bob', token: admin.token });
    expect(invalid.status).toBe(422);
  });
});
