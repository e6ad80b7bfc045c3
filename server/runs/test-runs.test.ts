import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as testRunsRoute from '@/app/api/v1/workflows/[key]/versions/[n]/test-runs/route';
import * as testStepRoute from '@/app/api/v1/workflows/[key]/versions/[n]/steps/[stepId]/test/route';
import * as workflowsRoute from '@/app/api/v1/workflows/route';
import * as versionsRoute from '@/app/api/v1/workflows/[key]/versions/route';
import * as runsRoute from '@/app/api/v1/runs/route';
import * as startRoute from '@/app/api/v1/workflows/[key]/runs/route';
import type { TAuthContext } from '@/server/auth/context';
import { closeCodePool } from '@/server/runtime/code/code-pool';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { loadPinnedRun } from '@/server/workflows/load-pinned-run';
import { createAlertRule } from '@/server/alerts/manage-alert-rules';
import { evaluateAlerts } from '@/server/alerts/evaluate-alerts';
import { retryRun } from '@/server/runs/retry-run';
import { migrateRun } from '@/server/runs/migrate-run';
import { createApiToken } from '@/server/tokens/create-api-token';
import { callRoute, errorCode, publishOverApi } from '@/test/api';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun } from '@/test/runtime';

let t: TTestDatabase;
let admin: TAuthContext;
let otherAdmin: TAuthContext;
const tokens = {} as Record<'editor' | 'viewer' | 'operator' | 'other', string>;
let server: Server;
let base: string;
let calls = 0;

/** A draft (never published) whose middle step calls the loopback server, after a timer. */
const draft = (note: string) => ({
  key: 'expenses',
  name: 'expenses',
  parameterSchema: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] },
  steps: [
    { id: 'double', type: 'transform.assign', config: { assign: { 'vars.total': { $expr: 'payload.amount * 2' } } } },
    { id: 'pause', type: 'time.delay', config: { durationMs: 20 } },
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
    { id: 'label', type: 'transform.assign', config: { assign: { 'vars.note': note } } },
  ],
});

const saveDraftOverApi = (document: Record<string, unknown>, token = tokens.editor) =>
  callRoute(versionsRoute.POST, {
    method: 'POST',
    path: '/workflows/expenses/versions',
    token,
    body: document,
    params: { key: 'expenses' },
  });

const startTestRun = (body: unknown, token = tokens.editor, key = 'expenses', n = '1') =>
  callRoute(testRunsRoute.POST, {
    method: 'POST',
    path: `/workflows/${key}/versions/${n}/test-runs`,
    token,
    body,
    params: { key, n },
  });

const testStep = (stepId: string, body: unknown, token = tokens.editor) =>
  callRoute(testStepRoute.POST, {
    method: 'POST',
    path: `/workflows/expenses/versions/1/steps/${stepId}/test`,
    token,
    body,
    params: { key: 'expenses', n: '1', stepId },
  });

beforeAll(async () => {
  t = await createTestDatabase('test_runs');
  process.env.DATABASE_URL = t.url;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  ({ ctx: admin } = await createTenantWithMember({ db: t.db, role: 'admin' }));
  for (const role of ['editor', 'viewer', 'operator'] as const)
    tokens[role] = (await createApiToken({ db: t.db, ctx: admin, input: { name: role, role } })).token;
  ({ ctx: otherAdmin } = await createTenantWithMember({ db: t.db, role: 'admin' }));
  tokens.other = (await createApiToken({ db: t.db, ctx: otherAdmin, input: { name: 'o', role: 'editor' } })).token;
  server = createServer((_request, response) => {
    calls += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"real":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await callRoute(workflowsRoute.POST, {
    method: 'POST',
    path: '/workflows',
    token: tokens.editor,
    body: { key: 'expenses', name: 'expenses' },
  });
  const saved = await saveDraftOverApi(draft('first'));
  expect(saved.json).toMatchObject({ version: 1 });
});
afterAll(async () => {
  delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await closeExpressionPool();
  await closeCodePool();
  await t.close();
});

describe('Test step on a draft', () => {
  it('tests a step of the unpublished draft on sample data, outside effects mocked by default', async () => {
    const before = calls;
    const doubled = await testStep('double', { envelope: { payload: { amount: 21 } } });
    expect(doubled.status, JSON.stringify(doubled.json)).toBe(200);
    expect(doubled.json).toMatchObject({ status: 'SUCCEEDED', assigned: { 'vars.total': 42 } });
    const mocked = await testStep('notify', { envelope: { vars: { total: 42 } } });
    expect(mocked.json).toMatchObject({ status: 'SUCCEEDED', output: null, mocked: [{ stepId: 'notify' }] });
    expect(calls).toBe(before);
  });

  it('answers 404 naming an unknown step and 422 for an envelope that is not one', async () => {
    const unknown = await testStep('nope', {});
    expect(unknown.status).toBe(404);
    expect((unknown.json!.error as { message: string }).message).toContain('"nope"');
    const invalid = await testStep('double', { envelope: { vars: 'not an object' } });
    expect(invalid.status).toBe(422);
    expect(JSON.stringify(invalid.json)).toContain('envelope');
    const extra = await testStep('double', { envelope: { payload: {}, secrets: {} } });
    expect(extra.status).toBe(422);
  });
});

describe('Run draft (test runs)', () => {
  it('runs the draft for real with outside effects mocked: zero calls, marked test, the event log says so', async () => {
    const before = calls;
    const started = await startTestRun({ input: { amount: 5 } });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const runId = String(started.json!.runId);
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(calls).toBe(before);
    const run = await t.db
      .selectFrom('runs')
      .select(['is_test', 'mock_actions', 'version', 'execution'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({ is_test: true, mock_actions: true, version: 1 });
    const step = await t.db
      .selectFrom('run_steps')
      .select(['status', 'output'])
      .where('run_id', '=', runId)
      .where('step_id', '=', 'notify')
      .executeTakeFirstOrThrow();
    expect(step).toEqual({ status: 'SUCCEEDED', output: null });
    const logged = await t.db
      .selectFrom('run_events')
      .select(['step_id', 'data'])
      .where('run_id', '=', runId)
      .where('type', '=', 'log')
      .execute();
    expect(logged).toEqual([
      { step_id: 'notify', data: expect.objectContaining({ data: { mocked: true, action: 'http.request@1' } }) },
    ]);
    const ledger = await t.db
      .selectFrom('action_invocations')
      .select('idempotency_key')
      .where('run_id', '=', runId)
      .execute();
    expect(ledger).toEqual([]);
  });

  it('makes the outside call when the user switches mocks off', async () => {
    const before = calls;
    const started = await startTestRun({ input: { amount: 5 }, mockActions: false });
    const runId = String(started.json!.runId);
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(calls).toBe(before + 1);
    const step = await t.db
      .selectFrom('run_steps')
      .select('output')
      .where('run_id', '=', runId)
      .where('step_id', '=', 'notify')
      .executeTakeFirstOrThrow();
    expect(step.output).toMatchObject({ status: 200, body: { real: true } });
  });

  it('runs the draft it was started on, not later saves, and honours the mock flag on every later pass', async () => {
    const before = calls;
    const started = await startTestRun({ input: { amount: 1 } });
    const runId = String(started.json!.runId);
    // The first pass stops at the timer; the draft is then changed and saved.
    const { advanceRun } = await import('@/server/runtime/advance-run');
    const { LeaseKeeper } = await import('@/server/runtime/run-store/lease-keeper');
    await advanceRun({ db: t.db, runId, workerId: 'worker-a', leases: new LeaseKeeper(t.db, 'worker-a', () => {}) });
    // Stopped at the timer: WAITING, or RUNNING when the timer was already due as the pass
    // released the run (a slow machine); either way the last step has not run yet.
    const waiting = await t.db
      .selectFrom('runs')
      .select(['status', 'execution'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(['WAITING', 'RUNNING']).toContain(waiting.status);
    expect(JSON.stringify(waiting.execution)).not.toContain('"note"');
    const changed = await saveDraftOverApi(draft('second'));
    expect(changed.status, JSON.stringify(changed.json)).toBe(200);
    // Another worker (a restart: nothing cached from the first pass) finishes it.
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(calls).toBe(before);
    const run = await t.db.selectFrom('runs').select('execution').where('id', '=', runId).executeTakeFirstOrThrow();
    expect(JSON.stringify(run.execution)).toContain('"note":"first"');
    // A new test run gets the new draft.
    const next = await startTestRun({ input: { amount: 1 } });
    expect(await driveRun({ db: t.db, runId: String(next.json!.runId) })).toBe('SUCCEEDED');
    const nextRun = await t.db
      .selectFrom('runs')
      .select('execution')
      .where('id', '=', String(next.json!.runId))
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(nextRun.execution)).toContain('"note":"second"');
  });

  it('checks the input against the draft’s parameter schema (422 naming the field, no run)', async () => {
    const count = async () => (await t.db.selectFrom('runs').select('id').execute()).length;
    const before = await count();
    const refused = await startTestRun({ input: { amount: 'lots' } });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.json)).toContain('input.amount');
    expect((await startTestRun({ input: {}, mockActions: 'yes' })).status).toBe(422);
    expect((await startTestRun({ input: { amount: 1 } }, tokens.editor, 'expenses', '9')).status).toBe(404);
    expect(await count()).toBe(before);
  });

  it('needs workflow.write and run.start, and another tenant cannot see the workflow', async () => {
    expect((await startTestRun({ input: { amount: 1 } }, tokens.viewer)).status).toBe(403);
    expect((await startTestRun({ input: { amount: 1 } }, tokens.operator)).status).toBe(403);
    const foreign = await startTestRun({ input: { amount: 1 } }, tokens.other);
    expect(foreign.status).toBe(404);
    expect(errorCode(foreign)).toBe('NOT_FOUND');
  });

  it('marks test runs in the run record and filters them in the runs list', async () => {
    const published = await publishOverApi(tokens.editor, 'plain', {
      steps: [{ id: 'a', type: 'transform.assign', config: { assign: { 'vars.a': 1 } } }],
    });
    expect(published.status).toBe(200);
    const real = await callRoute(startRoute.POST, {
      method: 'POST',
      path: '/workflows/plain/runs',
      token: tokens.editor,
      body: { input: {} },
      params: { key: 'plain' },
    });
    const realId = String(real.json!.runId);
    const list = (query: string) =>
      callRoute(runsRoute.GET, { path: `/runs?${query}`, token: tokens.editor }).then(
        (answer) => answer.json as { items: Array<{ id: string; test: boolean; mockActions: boolean }> },
      );
    const tests = await list('test=true');
    expect(tests.items.length, JSON.stringify(tests)).toBeGreaterThanOrEqual(4);
    expect(tests.items.every((run) => run.test)).toBe(true);
    expect(tests.items.map((run) => run.id)).not.toContain(realId);
    const others = await list('test=false');
    expect(
      others.items.map((run) => run.id),
      JSON.stringify(others),
    ).toEqual([realId]);
    expect(others.items[0]).toMatchObject({ test: false, mockActions: false });
    const bad = await callRoute(runsRoute.GET, { path: '/runs?test=maybe', token: tokens.editor });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.json)).toContain('test');
  });
});

describe('Pinned runs (debug in editor)', () => {
  it('gives each step the envelope it read and what it produced on the run', async () => {
    const started = await startTestRun({ input: { amount: 4 } });
    const runId = String(started.json!.runId);
    await driveRun({ db: t.db, runId });
    const pinned = await loadPinnedRun({ db: t.db, ctx: admin, input: { key: 'expenses', runId } });
    expect(pinned).toMatchObject({ runId, test: true, status: 'SUCCEEDED', partial: false });
    expect(pinned.steps.double).toMatchObject({
      status: 'SUCCEEDED',
      envelope: { payload: { amount: 4 }, vars: {} },
      output: { 'vars.total': 8 },
    });
    expect(pinned.steps.notify).toMatchObject({ status: 'SUCCEEDED', envelope: { vars: { total: 8 } }, output: null });
    expect(pinned.steps.label?.envelope?.vars).toMatchObject({ total: 8, notified: null });
  });

  it('is NOT_FOUND for another tenant’s run, another workflow’s run or a malformed id', async () => {
    const started = await startTestRun({ input: { amount: 4 } });
    const runId = String(started.json!.runId);
    await expect(loadPinnedRun({ db: t.db, ctx: otherAdmin, input: { key: 'expenses', runId } })).rejects.toMatchObject(
      { code: 'NOT_FOUND' },
    );
    await expect(loadPinnedRun({ db: t.db, ctx: admin, input: { key: 'plain', runId } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      loadPinnedRun({ db: t.db, ctx: admin, input: { key: 'expenses', runId: 'not-a-run' } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('Test runs and alerts', () => {
  it('a failing test run does not count toward a failureRate alert; a failing real run does', async () => {
    await createAlertRule({
      db: t.db,
      ctx: admin,
      input: {
        kind: 'failureRate',
        workflow: 'expenses',
        threshold: 0.5,
        minRuns: 1,
        notify: { email: 'ops@example.com' },
      },
    });
    // A draft whose first step fails: the test run ends FAILED.
    const broken = {
      ...draft('x'),
      steps: [{ id: 'boom', type: 'control.fail', config: { code: 'NOPE', message: 'no' } }],
    };
    expect((await saveDraftOverApi(broken)).status).toBe(200);
    const failed = await startTestRun({ input: { amount: 1 } });
    const failedId = String(failed.json!.runId);
    expect(await driveRun({ db: t.db, runId: failedId })).toBe('FAILED');
    expect((await evaluateAlerts({ db: t.db })).fired).toEqual([]);
    // The same failure in a real run of a published version fires the rule.
    const published = await callRoute((await import('@/app/api/v1/workflows/[key]/versions/[n]/publish/route')).POST, {
      method: 'POST',
      path: '/workflows/expenses/versions/1/publish',
      token: tokens.editor,
      params: { key: 'expenses', n: '1' },
    });
    expect(published.status, JSON.stringify(published.json)).toBe(200);
    const real = await callRoute(startRoute.POST, {
      method: 'POST',
      path: '/workflows/expenses/runs',
      token: tokens.editor,
      body: { input: { amount: 1 } },
      params: { key: 'expenses' },
    });
    expect(await driveRun({ db: t.db, runId: String(real.json!.runId) })).toBe('FAILED');
    expect((await evaluateAlerts({ db: t.db })).fired).toHaveLength(1);

    // The draft is fixed; a retry of the failed test run still runs the copy it started with.
    expect((await saveDraftOverApi(draft('fixed'))).json).toMatchObject({ version: 2 });
    await retryRun({ db: t.db, ctx: admin, input: { id: failedId, reason: 'again' } });
    expect(await driveRun({ db: t.db, runId: failedId })).toBe('FAILED');
    await expect(
      migrateRun({ db: t.db, ctx: admin, input: { id: failedId, version: 2, reason: 'move' } }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
