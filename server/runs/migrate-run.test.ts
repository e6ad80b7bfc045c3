import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as migrateRoute from '@/app/api/v1/runs/[id]/migrate/route';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { bulkOperateRuns } from '@/server/runs/bulk-operate-runs';
import { pauseRun } from '@/server/runs/pause-run';
import { completeTask } from '@/server/tasks/complete-task';
import { saveDraft } from '@/server/workflows/save-draft';
import { createApiToken } from '@/server/tokens/create-api-token';
import type { TStepInput } from '@/model/definition/step';
import { callRoute, errorCode } from '@/test/route-call';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishNextVersion, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let ctx: TAuthContext;
let token: string;
let otherToken: string;

beforeAll(async () => {
  t = await createTestDatabase('migrate_run');
  process.env.DATABASE_URL = t.url;
  ({ ctx } = await createTenantWithMember({ db: t.db, role: 'admin' }));
  token = (await createApiToken({ db: t.db, ctx, input: { name: 'ops', role: 'operator' } })).token;
  const other = await createTenantWithMember({ db: t.db, role: 'admin' });
  otherToken = (await createApiToken({ db: t.db, ctx: other.ctx, input: { name: 'x', role: 'admin' } })).token;
});
afterAll(async () => {
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

const assign = (id: string, path: string, value: unknown): TStepInput => ({
  id,
  type: 'transform.assign',
  config: { assign: { [path]: value } },
});
const task = (id: string): TStepInput => ({
  id,
  type: 'human.task',
  config: {
    title: `Task ${id}`,
    form: { type: 'object', properties: {} },
    outcomes: ['yes', 'no'],
    assignee: { role: 'operator' },
  },
});

/** Publishes `steps` as the next version of `key` (the first when it does not exist yet). */
async function publish(key: string, version: number, steps: TStepInput[]) {
  const document = { steps, output: { $expr: 'vars' } };
  if (version === 1) return publishWorkflow({ db: t.db, ctx, key, document });
  await publishNextVersion({ db: t.db, ctx, key, version, document });
}

async function waitingRun(key: string): Promise<string> {
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
  expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
  return runId;
}

const migrate = (runId: string, body: unknown, as = token) =>
  callRoute(migrateRoute.POST, {
    method: 'POST',
    path: `/runs/${runId}/migrate`,
    token: as,
    body,
    params: { id: runId },
  });

async function answerOpenTask(runId: string) {
  const open = await t.db
    .selectFrom('tasks')
    .select(['id', 'step_path', 'step_id'])
    .where('run_id', '=', runId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  await completeTask({ db: t.db, ctx, input: { id: open.id, outcome: 'yes', data: {} } });
  return open;
}

const stepRows = (runId: string) =>
  t.db
    .selectFrom('run_steps')
    .select(['step_id', 'path', 'status'])
    .where('run_id', '=', runId)
    .orderBy('started_at')
    .execute();

describe('POST /runs/{id}/migrate', () => {
  it('moves a waiting run onto a version with steps removed before it and added around it, and it finishes there', async () => {
    await publish('expense', 1, [
      assign('a', 'vars.a', 1),
      assign('b', 'vars.b', 2),
      task('approve'),
      assign('z', 'vars.z', 1),
    ]);
    const runId = await waitingRun('expense');
    // v2 drops b (whose record sat at steps[1]), adds one step before the task and one after it.
    await publish('expense', 2, [
      assign('a', 'vars.a', 1),
      task('approve'),
      assign('added', 'vars.added', true),
      assign('never', 'vars.never', true),
      assign('z', 'vars.z', 2),
    ]);

    const moved = await migrate(runId, { version: 2, reason: 'fix the amount rule' });
    expect(moved.status).toBe(200);
    expect(moved.json).toEqual({ runId, status: 'WAITING', from: 1, to: 2 });
    const run = await t.db
      .selectFrom('runs')
      .select(['version', 'status'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ version: 2, status: 'WAITING' });

    const answered = await answerOpenTask(runId);
    expect(answered).toMatchObject({ step_id: 'approve', step_path: 'steps[1]' });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    const done = await t.db.selectFrom('runs').select(['output']).where('id', '=', runId).executeTakeFirstOrThrow();
    // The steps after the task are the new version's; b's vars stay, as the run had them.
    expect(done.output).toEqual({ a: 1, b: 2, added: true, never: true, z: 2 });
    // b's record gave up steps[1] (the task's place now) and is kept as history under v1:.
    const rows = await stepRows(runId);
    expect(rows.map((row) => [row.step_id, row.path, row.status])).toEqual([
      ['a', 'steps[0]', 'SUCCEEDED'],
      ['b', 'v1:steps[1]', 'SUCCEEDED'],
      ['approve', 'steps[1]', 'SUCCEEDED'],
      ['added', 'steps[2]', 'SUCCEEDED'],
      ['never', 'steps[3]', 'SUCCEEDED'],
      ['z', 'steps[4]', 'SUCCEEDED'],
    ]);
    const events = await t.db
      .selectFrom('run_events')
      .select(['type', 'data'])
      .where('run_id', '=', runId)
      .where('type', '=', 'run.migrated')
      .execute();
    expect(events).toEqual([
      { type: 'run.migrated', data: expect.objectContaining({ from: 1, to: 2, reason: 'fix the amount rule' }) },
    ]);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', runId)
      .where('action', '=', 'run.migrated')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('carries a task waiting inside an if block, and a renamed step through stepMap', async () => {
    const inIf = (waiting: TStepInput, before: TStepInput[] = []): TStepInput => ({
      id: 'check',
      type: 'control.if',
      config: { condition: true, then: [...before, waiting], else: [] },
    });
    await publish('nested', 1, [inIf(task('approve'))]);
    const runId = await waitingRun('nested');
    await publish('nested', 2, [assign('first', 'vars.first', 1), inIf(task('review'), [assign('x', 'vars.x', 1)])]);

    const refused = await migrate(runId, { version: 2 });
    expect([refused.status, errorCode(refused.json)]).toEqual([409, 'CONFLICT']);
    expect((refused.json!.error as { details: unknown }).details).toEqual({
      problems: [
        {
          stepId: 'approve',
          path: 'steps[0].config.then[0]',
          reason: expect.stringContaining('no step "approve"') as string,
        },
      ],
    });
    // Nothing moved.
    const unchanged = await t.db
      .selectFrom('tasks')
      .select('step_path')
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(unchanged.step_path).toBe('steps[0].config.then[0]');

    const moved = await migrate(runId, { version: 2, stepMap: { approve: 'review' } });
    expect(moved.status).toBe(200);
    const answered = await answerOpenTask(runId);
    expect(answered.step_path).toBe('steps[1].config.then[1]');
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    const rows = await stepRows(runId);
    expect(rows.map((row) => [row.step_id, row.path]).sort()).toEqual([
      ['approve', 'steps[1].config.then[1]'],
      ['check', 'steps[1]'],
    ]);
  });

  it('moves a paused run, and refuses what cannot be carried with a 4xx naming it', async () => {
    await publish('paused', 1, [task('approve'), assign('after', 'vars.after', 1)]);
    const runId = await waitingRun('paused');
    await pauseRun({ db: t.db, ctx, input: { id: runId } });
    // v2: the task became a delay.
    await publish('paused', 2, [{ id: 'approve', type: 'time.delay', config: { durationMs: 10 } }]);
    await publish('paused', 3, [assign('before', 'vars.before', 1), task('approve')]);
    await saveDraft({
      db: t.db,
      ctx,
      input: { key: 'paused', document: { key: 'paused', name: 'paused', steps: [task('approve')] } as never },
    });

    const typeChanged = await migrate(runId, { version: 2 });
    expect(typeChanged.status).toBe(409);
    expect(JSON.stringify(typeChanged.json)).toContain('it is a human.task here and a time.delay there');
    const draft = await migrate(runId, { version: 4 });
    expect([draft.status, errorCode(draft.json)]).toEqual([409, 'CONFLICT']);
    const missing = await migrate(runId, { version: 9 });
    expect([missing.status, errorCode(missing.json)]).toEqual([404, 'NOT_FOUND']);
    const same = await migrate(runId, { version: 1 });
    expect(same.status).toBe(409);
    const badMap = await migrate(runId, { version: 3, stepMap: { nope: 'approve' } });
    expect([badMap.status, errorCode(badMap.json)]).toEqual([422, 'VALIDATION']);
    expect(JSON.stringify(badMap.json)).toContain('stepMap.nope');
    const noVersion = await migrate(runId, {});
    expect([noVersion.status, errorCode(noVersion.json)]).toEqual([422, 'VALIDATION']);
    expect((await migrate(runId, { version: 3 }, otherToken)).status).toBe(404);

    const moved = await migrate(runId, { version: 3 });
    expect(moved.json).toEqual({ runId, status: 'PAUSED', from: 1, to: 3 });
  });

  it('refuses a version that places a step that already succeeded after where the run waits: it would run again', async () => {
    // The migration was accepted, and the run then failed each pass on its step records' keys.
    const notify: TStepInput = {
      id: 'notify',
      type: 'action.call',
      config: { action: 'core.echo', version: 1, input: {} },
    };
    await publish('notify-once', 1, [notify, task('approve')]);
    const runId = await waitingRun('notify-once');
    await publish('notify-once', 2, [task('approve'), notify]);
    await publish('notify-once', 3, [
      notify,
      assign('added', 'vars.added', 1),
      task('approve'),
      assign('z', 'vars.z', 1),
    ]);

    const again = await migrate(runId, { version: 2 });
    expect([again.status, errorCode(again.json)]).toEqual([409, 'CONFLICT']);
    expect(JSON.stringify(again.json)).toContain(
      '\\"notify\\" (steps[0]): it has already succeeded, and the new version places it after where the run is (steps[1]), so it would run again',
    );
    const run = await t.db
      .selectFrom('runs')
      .select(['version', 'status'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ version: 1, status: 'WAITING' });

    // Before where the run is, it stays passed.
    expect((await migrate(runId, { version: 3 })).status).toBe(200);
    await answerOpenTask(runId);
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect((await stepRows(runId)).map((r) => [r.step_id, r.status])).toEqual([
      ['notify', 'SUCCEEDED'],
      ['approve', 'SUCCEEDED'],
      ['z', 'SUCCEEDED'],
    ]);
  });

  it('moves many runs of a workflow at once from the runs list, listing each one it could not carry', async () => {
    const pick = (a: TStepInput[], b: TStepInput[]): TStepInput => ({
      id: 'route',
      type: 'control.if',
      config: { condition: { $expr: 'payload.pick' }, then: a, else: b },
    });
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'bulk',
      document: { steps: [pick([task('left')], [task('right')])], output: { $expr: 'vars' } },
    });
    const start = async (input: unknown) => {
      const { runId } = await startRun({
        tenantId: ctx.tenantId,
        workflowKey: 'bulk',
        input,
        trigger: { type: 'api' },
      });
      expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
      return runId;
    };
    const left = await start({ pick: true });
    const right = await start({ pick: false });
    await publish('bulk', 2, [pick([assign('before', 'vars.before', 1), task('left')], [])]);

    const counted = await bulkOperateRuns({
      db: t.db,
      ctx,
      input: { operation: 'migrate', version: 2, filter: { workflow: 'bulk' }, dryRun: true },
    });
    expect(counted).toMatchObject({ eligible: 2, done: 0 });
    await expect(
      bulkOperateRuns({ db: t.db, ctx, input: { operation: 'migrate', filter: { workflow: 'bulk' } } }),
    ).rejects.toMatchObject({ issues: [expect.objectContaining({ path: ['version'] })] });
    const done = await bulkOperateRuns({
      db: t.db,
      ctx,
      input: { operation: 'migrate', version: 2, filter: { workflow: 'bulk' }, reason: 'new rule' },
    });
    expect(done).toMatchObject({ done: 1, failed: [{ runId: right, message: expect.stringContaining('"right"') }] });
    const versions = await t.db.selectFrom('runs').select(['id', 'version']).where('id', 'in', [left, right]).execute();
    expect(Object.fromEntries(versions.map((row) => [row.id, row.version]))).toEqual({ [left]: 2, [right]: 1 });
  });
});
