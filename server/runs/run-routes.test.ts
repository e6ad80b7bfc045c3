import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as startRoute from '@/app/api/v1/workflows/[key]/runs/route';
import * as runsRoute from '@/app/api/v1/runs/route';
import * as runRoute from '@/app/api/v1/runs/[id]/route';
import * as stepsRoute from '@/app/api/v1/runs/[id]/steps/route';
import * as eventsRoute from '@/app/api/v1/runs/[id]/events/route';
import * as snapshotsRoute from '@/app/api/v1/runs/[id]/snapshots/route';
import * as cancelRoute from '@/app/api/v1/runs/[id]/cancel/route';
import * as pauseRoute from '@/app/api/v1/runs/[id]/pause/route';
import * as resumeRoute from '@/app/api/v1/runs/[id]/resume/route';
import * as retryRoute from '@/app/api/v1/runs/[id]/retry/route';
import * as rerunRoute from '@/app/api/v1/runs/[id]/rerun/route';
import * as migrateRoute from '@/app/api/v1/runs/[id]/migrate/route';
import * as deliverRoute from '@/app/api/v1/events/route';
import * as tasksRoute from '@/app/api/v1/tasks/route';
import * as taskRoute from '@/app/api/v1/tasks/[id]/route';
import * as completeRoute from '@/app/api/v1/tasks/[id]/complete/route';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { RUN_OPERATIONS, RUN_STATUSES, type TRunOperation } from '@/model/run-status';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
const tokens = {} as Record<'admin' | 'operator' | 'editor' | 'viewer' | 'other', string>;

type THandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type TCall = {
  method?: string;
  path: string;
  token?: string;
  body?: unknown;
  params?: Record<string, string>;
  headers?: Record<string, string>;
};

function request({ method = 'GET', path, token, body, headers = {} }: TCall): Request {
  const all: Record<string, string> = { ...headers };
  if (token !== undefined) all.authorization = `Bearer ${token}`;
  else all['sec-fetch-site'] = 'cross-site';
  if (body !== undefined) all['content-type'] = 'application/json';
  return new Request(`http://localhost/api/v1${path}`, {
    method,
    headers: all,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
async function call(handler: THandler, args: TCall) {
  const response = await handler(request(args), { params: Promise.resolve(args.params ?? {}) });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}
const code = (json: Record<string, unknown> | null) => (json?.error as { code?: string } | undefined)?.code;

beforeAll(async () => {
  t = await createTestDatabase('run_routes');
  process.env.DATABASE_URL = t.url;
  const a = await createTenantWithMember({ db: t.db, role: 'admin' });
  const b = await createTenantWithMember({ db: t.db, role: 'admin' });
  for (const role of ['admin', 'operator', 'editor', 'viewer'] as const)
    tokens[role] = (await createApiToken({ db: t.db, ctx: a.ctx, input: { name: role, role } })).token;
  tokens.other = (await createApiToken({ db: t.db, ctx: b.ctx, input: { name: 'other', role: 'admin' } })).token;
  await publishWorkflow({
    db: t.db,
    ctx: a.ctx,
    key: 'quick',
    document: {
      parameterSchema: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } },
      steps: [
        { id: 'double', type: 'transform.assign', config: { assign: { 'vars.n': { $expr: 'payload.n * 2' } } } },
        { id: 'nap', type: 'time.delay', config: { durationMs: 20 } },
      ],
      output: { $expr: 'vars.n' },
    },
  });
  await publishWorkflow({
    db: t.db,
    ctx: a.ctx,
    key: 'approval',
    document: {
      steps: [
        {
          id: 'ok',
          type: 'human.task',
          config: {
            title: 'OK?',
            form: { type: 'object', required: ['why'], properties: { why: { type: 'string' } } },
            outcomes: ['yes', 'no'],
            assignee: { role: 'operator' },
          },
        },
      ],
    },
  });
});
afterAll(async () => {
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

async function start(key: string, input: unknown, token: string | undefined = tokens.editor) {
  return call(startRoute.POST, {
    method: 'POST',
    path: `/workflows/${key}/runs`,
    token,
    body: { input },
    params: { key },
  });
}

describe('POST /workflows/{key}/runs and the run reads', () => {
  it('starts (202), and answers 401, 403, 404, 422 with the JSON Schema errors', async () => {
    const started = await start('quick', { n: 2 });
    expect(started).toMatchObject({ status: 202, json: { runId: expect.any(String), status: 'QUEUED' } });
    expect(
      (
        await call(startRoute.POST, {
          method: 'POST',
          path: '/workflows/quick/runs',
          body: { input: { n: 2 } },
          params: { key: 'quick' },
        })
      ).status,
    ).toBe(401);
    expect(code((await start('quick', { n: 2 }, tokens.viewer)).json)).toBe('FORBIDDEN');
    expect((await start('nope', { n: 2 })).status).toBe(404);
    expect((await start('quick', { n: 2 }, tokens.other)).status).toBe(404);
    const invalid = await start('quick', { n: 'two' });
    expect([invalid.status, code(invalid.json)]).toEqual([422, 'VALIDATION']);
    expect((invalid.json?.error as { details: { path: string }[] }).details[0]?.path).toBe('input.n');
    const runId = started.json!.runId as string;
    await driveRun({ db: t.db, runId });
    const read = { token: tokens.viewer, params: { id: runId } };
    expect(await call(runRoute.GET, { path: `/runs/${runId}`, ...read })).toMatchObject({
      status: 200,
      json: { id: runId, status: 'SUCCEEDED', output: 4, children: [] },
    });
    expect((await call(stepsRoute.GET, { path: `/runs/${runId}/steps`, ...read })).json?.items).toHaveLength(2);
    expect((await call(snapshotsRoute.GET, { path: `/runs/${runId}/snapshots`, ...read })).json?.items).toHaveLength(2);
    const events = await call(eventsRoute.GET, { path: `/runs/${runId}/events?after=2`, ...read });
    expect((events.json?.items as { seq: number }[])[0]?.seq).toBe(3);
    expect(
      (await call(runsRoute.GET, { path: '/runs?workflow=quick&status=SUCCEEDED', token: tokens.viewer })).json?.items,
    ).toHaveLength(1);
    expect((await call(runsRoute.GET, { path: '/runs?status=DONE', token: tokens.viewer })).status).toBe(422);
    for (const [handler, path] of [
      [runRoute.GET, ''],
      [stepsRoute.GET, '/steps'],
      [eventsRoute.GET, '/events'],
      [snapshotsRoute.GET, '/snapshots'],
    ] as const) {
      expect(
        (await call(handler, { path: `/runs/${runId}${path}`, token: tokens.other, params: { id: runId } })).status,
      ).toBe(404);
      expect((await call(handler, { path: `/runs/${runId}${path}`, params: { id: runId } })).status).toBe(401);
    }
  });
});

describe('lifecycle routes', () => {
  const routes: Record<TRunOperation, THandler> = {
    cancel: cancelRoute.POST,
    pause: pauseRoute.POST,
    resume: resumeRoute.POST,
    retry: retryRoute.POST,
    rerun: rerunRoute.POST,
    migrate: migrateRoute.POST,
  };

  it.each(Object.keys(routes) as TRunOperation[])(
    '%s answers 409 for every status it does not apply to, 403 to a viewer and editor, 404 to another tenant',
    async (operation) => {
      const runId = (await start('quick', { n: 1 })).json!.runId as string;
      const handler = routes[operation];
      const post = (token: string) =>
        call(handler, {
          method: 'POST',
          path: `/runs/${runId}/${operation}`,
          token,
          body: operation === 'migrate' ? { version: 2 } : {},
          params: { id: runId },
        });
      for (const status of RUN_STATUSES.filter((s) => !(RUN_OPERATIONS[operation] as readonly string[]).includes(s))) {
        await t.db.updateTable('runs').set({ status }).where('id', '=', runId).execute();
        const refused = await post(tokens.operator);
        expect([status, refused.status, code(refused.json)]).toEqual([status, 409, 'CONFLICT']);
      }
      expect(code((await post(tokens.viewer)).json)).toBe('FORBIDDEN');
      expect(code((await post(tokens.editor)).json)).toBe('FORBIDDEN');
      expect((await post(tokens.other)).status).toBe(404);
      const anonymous = await call(handler, {
        method: 'POST',
        path: `/runs/${runId}/${operation}`,
        params: { id: runId },
      });
      expect(anonymous.status).toBe(401);
    },
  );

  it('pauses, resumes and cancels through the API with an empty body', async () => {
    const runId = (await start('approval', {})).json!.runId as string;
    expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
    const params = { id: runId };
    expect(
      await call(pauseRoute.POST, { method: 'POST', path: `/runs/${runId}/pause`, token: tokens.operator, params }),
    ).toMatchObject({ status: 200, json: { status: 'PAUSED' } });
    expect(
      await call(resumeRoute.POST, { method: 'POST', path: `/runs/${runId}/resume`, token: tokens.operator, params }),
    ).toMatchObject({ status: 200, json: { status: 'RUNNING' } });
    expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
    const taskList = await call(tasksRoute.GET, { path: '/tasks?status=open&mine=true', token: tokens.operator });
    const task = (taskList.json?.items as { id: string; runId: string }[]).find((x) => x.runId === runId)!;
    expect(
      await call(taskRoute.GET, { path: `/tasks/${task.id}`, token: tokens.viewer, params: { id: task.id } }),
    ).toMatchObject({ status: 200, json: { status: 'open' } });
    expect(
      (await call(taskRoute.GET, { path: `/tasks/${task.id}`, token: tokens.other, params: { id: task.id } })).status,
    ).toBe(404);
    const complete = (token: string, body: unknown) =>
      call(completeRoute.POST, {
        method: 'POST',
        path: `/tasks/${task.id}/complete`,
        token,
        body,
        params: { id: task.id },
      });
    expect((await complete(tokens.viewer, { outcome: 'yes', data: { why: 'x' } })).status).toBe(403);
    const bad = await complete(tokens.operator, { outcome: 'yes', data: {} });
    expect([bad.status, (bad.json?.error as { details: { path: string }[] }).details[0]?.path]).toEqual([
      422,
      'data.why',
    ]);
    expect((await complete(tokens.operator, { outcome: 'yes', data: { why: 'fine' } })).status).toBe(200);
    expect((await complete(tokens.admin, { outcome: 'no', data: { why: 'late' } })).status).toBe(409);
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    const other = (await start('approval', {})).json!.runId as string;
    await driveRun({ db: t.db, runId: other });
    expect(
      await call(cancelRoute.POST, {
        method: 'POST',
        path: `/runs/${other}/cancel`,
        token: tokens.operator,
        body: { reason: 'test' },
        params: { id: other },
      }),
    ).toMatchObject({ status: 200, json: { status: 'CANCELED' } });
    expect(
      await call(rerunRoute.POST, {
        method: 'POST',
        path: `/runs/${other}/rerun`,
        token: tokens.operator,
        params: { id: other },
      }),
    ).toMatchObject({ status: 202, json: { rerunOf: other } });
  });

  it('delivers events (200), refusing a viewer (403) and a bad body (422)', async () => {
    expect(
      await call(deliverRoute.POST, {
        method: 'POST',
        path: '/events',
        token: tokens.editor,
        body: { event: 'nothing.waits' },
      }),
    ).toMatchObject({ status: 200, json: { resumed: [], started: [] } });
    expect(
      (await call(deliverRoute.POST, { method: 'POST', path: '/events', token: tokens.viewer, body: { event: 'x' } }))
        .status,
    ).toBe(403);
    expect(
      (
        await call(deliverRoute.POST, {
          method: 'POST',
          path: '/events',
          token: tokens.editor,
          body: { correlationKey: 'k' },
        })
      ).status,
    ).toBe(422);
  });
});

describe('GET /runs/{id}/events as a live stream', () => {
  it('sends stored events, then new ones as the run advances, with id = seq, and ends when the run finishes', async () => {
    const runId = (await start('quick', { n: 3 })).json!.runId as string;
    const response = await eventsRoute.GET(
      request({ path: `/runs/${runId}/events`, token: tokens.viewer, headers: { accept: 'text/event-stream' } }),
      { params: Promise.resolve({ id: runId }) },
    );
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: run.queued')) text += (await reader.read()).value ?? '';
    // Only now does the run move: everything after run.queued reaches the stream through NOTIFY.
    const driving = driveRun({ db: t.db, runId });
    for (let next = await reader.read(); !next.done; next = await reader.read()) text += next.value;
    expect(await driving).toBe('SUCCEEDED');
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    const types = [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(types[0]).toBe('run.queued');
    expect(types).toContain('run.waiting');
    expect(types.at(-1)).toBe('run.succeeded');
    // Last-Event-ID resumes after the seq the client saw; a finished run's stream ends at once.
    const resumed = await eventsRoute.GET(
      request({
        path: `/runs/${runId}/events`,
        token: tokens.viewer,
        headers: { accept: 'text/event-stream', 'last-event-id': String(ids.length - 1) },
      }),
      { params: Promise.resolve({ id: runId }) },
    );
    const rest = await resumed.text();
    expect([...rest.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([ids.length]);
  });
});
