import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as testRoute from '@/app/api/v1/workflows/[key]/versions/[n]/steps/[stepId]/test/route';
import * as startRoute from '@/app/api/v1/workflows/[key]/runs/route';
import { closeCodePool } from '@/server/runtime/code/code-pool';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { createApiToken } from '@/server/tokens/create-api-token';
import { callRoute, errorCode, publishOverApi } from '@/test/api';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun } from '@/test/runtime';

let t: TTestDatabase;
const tokens = {} as Record<'editor' | 'viewer' | 'operator' | 'other', string>;
let server: Server;
let base: string;
const received: Array<{ url: string; key: string | undefined }> = [];

beforeAll(async () => {
  t = await createTestDatabase('test_step');
  process.env.DATABASE_URL = t.url;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'admin' });
  for (const role of ['editor', 'viewer', 'operator'] as const)
    tokens[role] = (await createApiToken({ db: t.db, ctx, input: { name: role, role } })).token;
  const other = await createTenantWithMember({ db: t.db, role: 'admin' });
  tokens.other = (await createApiToken({ db: t.db, ctx: other.ctx, input: { name: 'other', role: 'editor' } })).token;
  server = createServer((request, response) => {
    received.push({ url: request.url ?? '', key: request.headers['idempotency-key'] as string | undefined });
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"real":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const published = await publishOverApi(tokens.editor, 'orders', {
    parameterSchema: { type: 'object', properties: { amount: { type: 'number' }, card: { type: 'string' } } },
    settings: { redact: ['/payload/card'] },
    steps: [
      { id: 'double', type: 'transform.assign', config: { assign: { 'vars.total': { $expr: 'payload.amount * 2' } } } },
      { id: 'note', type: 'log', config: { level: 'warn', message: { $template: 'total {{ vars.total }}' } } },
      {
        id: 'route',
        type: 'control.if',
        config: {
          condition: { $expr: 'vars.total > 100' },
          then: [
            {
              id: 'notify',
              type: 'action.call',
              config: {
                action: 'http.request',
                version: 1,
                input: { method: 'POST', url: `${base}/notify`, body: { total: { $expr: 'vars.total' } } },
                saveAs: 'vars.notified',
              },
            },
            {
              id: 'echo',
              type: 'action.call',
              config: {
                action: 'core.echo',
                version: 1,
                input: { total: { $expr: 'vars.total' } },
                saveAs: 'vars.echoed',
              },
            },
          ],
          else: [{ id: 'small', type: 'transform.assign', config: { assign: { 'vars.size': 'small' } } }],
        },
      },
      {
        id: 'approve',
        type: 'human.task',
        config: { title: 'Approve?', form: { type: 'object' }, outcomes: ['yes', 'no'], assignee: { role: 'editor' } },
      },
      { id: 'script', type: 'code.js', config: { source: 'return input.vars.total + 1', saveAs: 'vars.plusOne' } },
    ],
  });
  expect(published.status, JSON.stringify(published.json)).toBe(200);
});
afterAll(async () => {
  delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await closeExpressionPool();
  await closeCodePool();
  await t.close();
});

const test = (stepId: string, body: unknown, token = tokens.editor, key = 'orders', n = '1') =>
  callRoute(testRoute.POST, {
    method: 'POST',
    path: `/workflows/${key}/versions/${n}/steps/${stepId}/test`,
    token,
    body,
    params: { key, n, stepId },
  });

async function rowCounts() {
  const count = async (
    table: 'runs' | 'run_steps' | 'run_events' | 'run_snapshots' | 'tasks' | 'run_waits' | 'action_invocations',
  ) =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    runs: await count('runs'),
    steps: await count('run_steps'),
    events: await count('run_events'),
    snapshots: await count('run_snapshots'),
    tasks: await count('tasks'),
    waits: await count('run_waits'),
    ledger: await count('action_invocations'),
  };
}

describe('POST /workflows/{key}/versions/{n}/steps/{stepId}/test', () => {
  it('runs a leaf step on a given envelope, returns its output and the vars it assigned, writes nothing', async () => {
    const before = await rowCounts();
    const tested = await test('double', { envelope: { payload: { amount: 21 }, vars: { kept: true } } });
    expect(tested.status, JSON.stringify(tested.json)).toBe(200);
    expect(tested.json).toMatchObject({
      status: 'SUCCEEDED',
      output: { 'vars.total': 42 },
      assigned: { 'vars.total': 42 },
      error: null,
      steps: [{ stepId: 'double', status: 'SUCCEEDED', attempt: 1 }],
      envelope: { source: 'given', redacted: [] },
    });
    const logged = await test('note', { envelope: { vars: { total: 7 } } });
    expect(logged.json).toMatchObject({
      status: 'SUCCEEDED',
      logs: [{ level: 'warn', message: 'total 7', stepId: 'note' }],
      assigned: {},
    });
    expect(await rowCounts()).toEqual(before);
  });

  it('runs a block with everything inside it; outside effects mocked (null or a mock), pure actions run', async () => {
    const before = received.length;
    const mocked = await test('route', { envelope: { vars: { total: 500 } }, mocks: { notify: { status: 202 } } });
    expect(mocked.json).toMatchObject({
      status: 'SUCCEEDED',
      output: { branch: 'then' },
      assigned: { 'vars.notified': { status: 202 }, 'vars.echoed': { total: 500 } },
      mocked: [{ stepId: 'notify', action: 'http.request@1' }],
    });
    expect((mocked.json!.steps as Array<{ stepId: string }>).map((s) => s.stepId)).toEqual(['notify', 'echo', 'route']);
    const nulls = await test('route', { envelope: { vars: { total: 500 } } });
    expect(nulls.json).toMatchObject({ assigned: { 'vars.notified': null } });
    expect(received.length).toBe(before);
  });

  it('makes outside calls for real with mockActions false, under a test:<uuid> idempotency key', async () => {
    const before = await rowCounts();
    const real = await test('notify', { envelope: { vars: { total: 500 } }, mockActions: false });
    expect(real.json).toMatchObject({ status: 'SUCCEEDED', output: { status: 200, body: { real: true } }, mocked: [] });
    expect(received.at(-1)).toEqual({ url: '/notify', key: expect.stringMatching(/^test:[0-9a-f-]{36}$/) });
    expect(await rowCounts()).toEqual(before);
    // Who caused a real effect is in the audit log; mocked tests leave nothing there.
    const audited = await t.db
      .selectFrom('audit_log')
      .select(['target_id', 'data'])
      .where('action', '=', 'workflow.step_tested')
      .execute();
    expect(audited).toEqual([{ target_id: 'orders', data: { version: 1, stepId: 'notify', mockActions: false } }]);
  });

  it('describes a wait instead of creating it', async () => {
    const before = await rowCounts();
    const waiting = await test('approve', {});
    expect(waiting.json).toMatchObject({
      status: 'WAITING',
      waits: [{ stepId: 'approve', wait: { kind: 'task', task: { title: 'Approve?' } } }],
    });
    expect(await rowCounts()).toEqual(before);
  });

  it('reports a failing step with its error, under the same limits as a run', async () => {
    expect((await test('script', { envelope: { vars: { total: 1 } } })).json).toMatchObject({
      status: 'SUCCEEDED',
      output: 2,
      assigned: { 'vars.plusOne': 2 },
    });
    const failed = await test('double', { envelope: { payload: { amount: 'x' } } });
    expect(failed.json).toMatchObject({ status: 'FAILED', error: { code: 'EXPRESSION', stepId: 'double' } });
  });

  it('takes the envelope a recorded run had before the step, redacted as its snapshot is, and says so', async () => {
    const started = await callRoute(startRoute.POST, {
      method: 'POST',
      path: '/workflows/orders/runs',
      token: tokens.editor,
      body: { input: { amount: 80, card: '4242 4242' } },
      params: { key: 'orders' },
    });
    const runId = started.json!.runId as string;
    await driveRun({ db: t.db, runId });
    const fromRun = await test('route', { fromRun: runId });
    expect(fromRun.status, JSON.stringify(fromRun.json)).toBe(200);
    expect(fromRun.json).toMatchObject({
      status: 'SUCCEEDED',
      output: { branch: 'then' },
      envelope: { source: 'run', runId, afterStepId: 'note', redacted: ['/payload/card'] },
      assigned: { 'vars.notified': null, 'vars.echoed': { total: 160 } },
    });
    // Its first step starts from the run's input.
    expect((await test('double', { fromRun: runId })).json).toMatchObject({
      assigned: { 'vars.total': 160 },
      envelope: { afterStepId: null },
    });
    // The run waits at "approve", so it never reached "script".
    const never = await test('script', { fromRun: runId });
    expect([never.status, errorCode(never)]).toEqual([422, 'VALIDATION']);
    expect(JSON.stringify(never.json)).toContain('never reached step \\"script\\"');
  });

  it('answers 404 for a missing step, version, workflow or run, 422 for a bad body, 403 to viewers', async () => {
    const missing = await test('nope', {});
    expect([missing.status, errorCode(missing)]).toEqual([404, 'NOT_FOUND']);
    expect(JSON.stringify(missing.json)).toContain('has no step \\"nope\\"');
    expect((await test('double', {}, tokens.editor, 'orders', '9')).status).toBe(404);
    expect((await test('double', {}, tokens.editor, 'nothing')).status).toBe(404);
    expect((await test('double', {}, tokens.other)).status).toBe(404);
    expect((await test('double', { fromRun: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    const both = await test('double', { envelope: {}, fromRun: '00000000-0000-4000-8000-000000000000' });
    expect([both.status, errorCode(both)]).toEqual([422, 'VALIDATION']);
    expect((await test('double', { envelope: { vars: 'no' } })).status).toBe(422);
    expect((await test('double', { surprise: 1 })).status).toBe(422);
    expect((await test('bad id!', {})).status).toBe(422);
    expect((await test('double', {}, tokens.viewer)).status).toBe(403);
    expect((await test('double', {}, tokens.operator)).status).toBe(403);
  });
});
