import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as bulkRoute from '@/app/api/v1/tasks/bulk-complete/route';
import * as countRoute from '@/app/api/v1/tasks/open-count/route';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { startWorkflowRun } from '@/server/runs/start-workflow-run';
import { claimTask } from '@/server/tasks/claim-task';
import { completeTask } from '@/server/tasks/complete-task';
import { SELF_APPROVAL_MESSAGE } from '@/server/tasks/task-answerer';
import { closeTasksChangedListener, getTasksChangedListener } from '@/server/tasks/tasks-changed-listener';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { callRoute, errorCode } from '@/test/route-call';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
type TPerson = { ctx: TAuthContext; email: string; token: string };
let admin: TPerson;
let ann: TPerson;
let ben: TPerson;
let viewer: TPerson;

const step = (config: Record<string, unknown>) => ({
  steps: [
    {
      id: 'approve',
      type: 'human.task',
      config: { title: 'Approve', form: { type: 'object' }, outcomes: ['approve', 'reject'], ...config },
    },
  ],
});

async function person(ctx: TAuthContext, email: string): Promise<TPerson> {
  const { token } = await createApiToken({ db: t.db, ctx, input: { name: `t-${email}`, role: ctx.role } });
  return { ctx, email, token };
}

beforeAll(async () => {
  t = await createTestDatabase('task_inbox_bulk_live');
  process.env.DATABASE_URL = t.url;
  const a = await createTenantWithMember({ db: t.db, role: 'admin' });
  admin = await person(a.ctx, a.email);
  const annMember = await addMemberTo({ db: t.db, ctx: a.ctx, role: 'operator' });
  ann = await person(annMember.ctx, annMember.email);
  const benMember = await addMemberTo({ db: t.db, ctx: a.ctx, role: 'operator' });
  ben = await person(benMember.ctx, benMember.email);
  const viewerMember = await addMemberTo({ db: t.db, ctx: a.ctx, role: 'viewer' });
  viewer = await person(viewerMember.ctx, viewerMember.email);
  const both = { users: [ann.email, ben.email] };
  await publishWorkflow({ db: t.db, ctx: a.ctx, key: 'plain', document: step({ assignee: both }) });
  await publishWorkflow({
    db: t.db,
    ctx: a.ctx,
    key: 'no-self',
    document: step({ assignee: both, allowSelfApproval: false }),
  });
  await publishWorkflow({
    db: t.db,
    ctx: a.ctx,
    key: 'quorum',
    document: step({ assignee: both, approvals: { required: 'all' } }),
  });
  await publishWorkflow({
    db: t.db,
    ctx: a.ctx,
    key: 'with-form',
    document: step({
      assignee: both,
      form: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } },
    }),
  });
});
afterAll(async () => {
  await closeTasksChangedListener();
  await closeExpressionPool();
  await t.close();
});

async function openTask(key: string, starter?: TAuthContext): Promise<string> {
  const { runId } = starter
    ? await startWorkflowRun({ db: t.db, ctx: starter, input: { key, input: {} } })
    : await startRun({ tenantId: admin.ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
  expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
  return (await t.db.selectFrom('tasks').select('id').where('run_id', '=', runId).executeTakeFirstOrThrow()).id;
}

const bulk = (who: TPerson, body: unknown) =>
  callRoute(bulkRoute.POST, { method: 'POST', path: '/tasks/bulk-complete', token: who.token, body });

describe('POST /tasks/bulk-complete', () => {
  it('answers each task on its own and says per task what happened', async () => {
    const plain = await openTask('plain');
    const claimed = await openTask('plain');
    await claimTask({ db: t.db, ctx: ben.ctx, input: { id: claimed } });
    const own = await openTask('no-self', ann.ctx);
    const decided = await openTask('plain');
    await completeTask({ db: t.db, ctx: ben.ctx, input: { id: decided, outcome: 'reject', data: {} } });
    const quorum = await openTask('quorum');
    const withForm = await openTask('with-form');
    const missing = '00000000-0000-4000-8000-000000000000';
    const answered = await bulk(ann, {
      ids: [plain, claimed, own, decided, quorum, withForm, missing],
      outcome: 'approve',
    });
    expect(answered.status).toBe(200);
    expect(answered.json?.results).toEqual([
      { id: plain, ok: true, outcome: 'approve', code: null, message: null },
      { id: claimed, ok: false, outcome: null, code: 'FORBIDDEN', message: expect.stringContaining(ben.email) },
      { id: own, ok: false, outcome: null, code: 'FORBIDDEN', message: SELF_APPROVAL_MESSAGE },
      { id: decided, ok: false, outcome: null, code: 'CONFLICT', message: expect.stringContaining('already decided') },
      { id: quorum, ok: true, outcome: null, code: null, message: null },
      { id: withForm, ok: false, outcome: null, code: 'VALIDATION', message: expect.stringContaining('own page') },
      { id: missing, ok: false, outcome: null, code: 'NOT_FOUND', message: `No task with id ${missing}.` },
    ]);
    const statuses = await t.db
      .selectFrom('tasks')
      .select(['id', 'status', 'outcome'])
      .where('id', 'in', [plain, claimed, own, quorum, withForm])
      .execute();
    expect(Object.fromEntries(statuses.map((row) => [row.id, row.status]))).toEqual({
      [plain]: 'completed',
      [claimed]: 'open',
      [own]: 'open',
      [quorum]: 'open',
      [withForm]: 'open',
    });
    expect(await t.db.selectFrom('task_answers').select('by').where('task_id', '=', quorum).execute()).toEqual([
      { by: ann.email },
    ]);
  });

  it('refuses an outcome a task does not have for that task only', async () => {
    const plain = await openTask('plain');
    const answered = await bulk(ann, { ids: [plain], outcome: 'maybe' });
    expect(answered.json?.results).toEqual([
      { id: plain, ok: false, outcome: null, code: 'VALIDATION', message: 'outcome: one of approve, reject' },
    ]);
  });

  it('refuses a bad request as a whole with 422 naming the field, and viewers with 403', async () => {
    const plain = await openTask('plain');
    const empty = await bulk(ann, { ids: [], outcome: 'approve' });
    expect(empty.status).toBe(422);
    expect(JSON.stringify(empty.json)).toContain('choose at least one task');
    const tooMany = await bulk(ann, { ids: Array.from({ length: 101 }, () => plain), outcome: 'approve' });
    expect(tooMany.status).toBe(422);
    expect(JSON.stringify(tooMany.json)).toContain('at most 100');
    const twice = await bulk(ann, { ids: [plain, plain], outcome: 'approve' });
    expect(twice.status).toBe(422);
    expect(JSON.stringify(twice.json)).toContain('each task once');
    expect((await bulk(ann, { ids: ['nope'], outcome: 'approve' })).status).toBe(422);
    expect((await bulk(ann, { ids: [plain] })).status).toBe(422);
    const byViewer = await bulk(viewer, { ids: [plain], outcome: 'approve' });
    expect(byViewer.status).toBe(403);
    expect(errorCode(byViewer.json)).toBe('FORBIDDEN');
    expect(
      (await t.db.selectFrom('tasks').select('status').where('id', '=', plain).executeTakeFirstOrThrow()).status,
    ).toBe('open');
  });
});

/** Reads `count` events off an SSE response as they come. */
function countEvents(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return async function next(): Promise<number> {
    for (;;) {
      const match = /event: count\ndata: (\{[^\n]*\})\n\n/.exec(buffer);
      if (match) {
        buffer = buffer.slice(match.index + match[0].length);
        return (JSON.parse(match[1]!) as { count: number }).count;
      }
      const chunk = await reader.read();
      if (chunk.done) throw new Error('the stream ended');
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
}

const openStream = (who: TPerson, signal: AbortSignal) =>
  countRoute.GET(
    new Request('http://localhost/api/v1/tasks/open-count', {
      headers: { authorization: `Bearer ${who.token}`, accept: 'text/event-stream' },
      signal,
    }),
    { params: Promise.resolve({}) },
  );

describe('GET /tasks/open-count (the live inbox badge)', () => {
  it('streams the count as tasks are created and answered, over one LISTEN connection per process', async () => {
    const json = await callRoute(countRoute.GET, { path: '/tasks/open-count', token: ann.token });
    expect(json.status).toBe(200);
    const before = (json.json as { count: number }).count;
    const stop = new AbortController();
    const annStream = await openStream(ann, stop.signal);
    const benStream = await openStream(ben, stop.signal);
    expect(annStream.status).toBe(200);
    expect(annStream.headers.get('content-type')).toContain('text/event-stream');
    const annCount = countEvents(annStream);
    const benCount = countEvents(benStream);
    expect(await annCount()).toBe(before);
    await benCount();
    const task = await openTask('plain');
    expect(await annCount()).toBe(before + 1);
    await completeTask({ db: t.db, ctx: ben.ctx, input: { id: task, outcome: 'approve', data: {} } });
    expect(await annCount()).toBe(before);
    // Two open streams, one LISTEN connection.
    expect(getTasksChangedListener().subscriberCount).toBe(2);
    const listening = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE application_name = 'pipewright-tasks-changed' AND datname = current_database()`.execute(t.db);
    expect(listening.rows[0]!.n).toBe(1);
    stop.abort();
    expect(getTasksChangedListener().subscriberCount).toBe(0);
  });

  it('is scoped to the tenant and refuses a caller without credentials', async () => {
    const other = await createTenantWithMember({ db: t.db, role: 'admin' });
    const outsider = await person(other.ctx, other.email);
    const outside = await callRoute(countRoute.GET, { path: '/tasks/open-count', token: outsider.token });
    expect(outside.json).toEqual({ count: 0 });
    const anonymous = await callRoute(countRoute.GET, {
      path: '/tasks/open-count',
      headers: { accept: 'text/event-stream' },
    });
    expect(anonymous.status).toBe(401);
  });
});
