import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { putSecret } from '@/server/secrets/put-secret';
import { cancelRun } from '@/server/runs/cancel-run';
import { getRun } from '@/server/runs/get-run';
import { listRunEvents } from '@/server/runs/list-run-events';
import { listRunSnapshots } from '@/server/runs/list-run-snapshots';
import { listRunSteps } from '@/server/runs/list-run-steps';
import { listRuns } from '@/server/runs/list-runs';
import { pauseRun } from '@/server/runs/pause-run';
import { rerunRun } from '@/server/runs/rerun-run';
import { resumeRun } from '@/server/runs/resume-run';
import { retryRun } from '@/server/runs/retry-run';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { startWorkflowRun } from '@/server/runs/start-workflow-run';
import { deliverEvent } from '@/server/events/deliver-event';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let admin: TAuthContext;
let operator: TAuthContext;
let viewer: TAuthContext;
let stranger: TAuthContext;

const waitForPaid = {
  steps: [
    {
      id: 'paid',
      type: 'event.wait',
      config: { event: 'order.paid', correlationKey: { $expr: 'payload.orderId' }, saveAs: 'vars.paid' },
    },
  ],
  output: { $expr: 'vars.paid' },
};

beforeAll(async () => {
  t = await createTestDatabase('run_lifecycle');
  process.env.DATABASE_URL = t.url; // the run queue (pg-boss) and the LISTEN connection use the same database
  const tenant = await createTenantWithMember({ db: t.db, role: 'admin' });
  admin = tenant.ctx;
  operator = (await addMemberTo({ db: t.db, ctx: admin, role: 'operator' })).ctx;
  viewer = (await addMemberTo({ db: t.db, ctx: admin, role: 'viewer' })).ctx;
  stranger = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'quick',
    document: {
      parameterSchema: { type: 'object', properties: { n: { type: 'number' } } },
      steps: [
        { id: 'double', type: 'transform.assign', config: { assign: { 'vars.n': { $expr: 'payload.n * 2' } } } },
        { id: 'mark', type: 'state.set', config: { state: 'doubled' } },
      ],
      output: { $expr: 'vars.n' },
    },
  });
  await publishWorkflow({ db: t.db, ctx: admin, key: 'wait-paid', document: waitForPaid });
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'needs-secret',
    document: {
      env: { vars: {}, secrets: { TOKEN: 'api-token' } },
      steps: [
        {
          id: 'call',
          type: 'action.call',
          config: { action: 'core.echo', version: 1, input: { token: { $secret: 'TOKEN' } }, saveAs: 'vars.echo' },
        },
      ],
      output: { $expr: '"called"' },
    },
  });
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'approval',
    document: {
      steps: [
        {
          id: 'approve',
          type: 'human.task',
          config: {
            title: 'Approve',
            form: { type: 'object', properties: { note: { type: 'string' } } },
            outcomes: ['approve', 'reject'],
            assignee: { role: 'operator' },
            saveAs: 'vars.answer',
          },
        },
      ],
      output: { $expr: 'vars.answer' },
    },
  });
});
afterAll(async () => {
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

async function started(key: string, input: unknown = {}, ctx = admin): Promise<string> {
  return (await startWorkflowRun({ db: t.db, ctx, input: { key, input } })).runId;
}
const events = async (runId: string) => (await listRunEvents({ db: t.db, ctx: admin, input: { id: runId } })).items;
const gapFree = (items: { seq: number }[]) => expect(items.map((e) => e.seq)).toEqual(items.map((_, i) => i + 1));
const row = (runId: string) => t.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();

describe('reading runs', () => {
  it('returns the run record with children, steps, events and snapshots; another tenant gets 404', async () => {
    const runId = await started('quick', { n: 21 });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    const run = await getRun({ db: t.db, ctx: viewer, input: { id: runId } });
    expect(run).toMatchObject({
      id: runId,
      workflowKey: 'quick',
      version: 1,
      status: 'SUCCEEDED',
      state: 'doubled',
      input: { n: 21 },
      output: 42,
      error: null,
      trigger: { type: 'api' },
      parentRunId: null,
      idempotencyKey: null,
      children: [],
    });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    const steps = await listRunSteps({ db: t.db, ctx: viewer, input: { id: runId } });
    expect(steps.items.map((s) => [s.stepId, s.path, s.status, s.attempt])).toEqual([
      ['double', 'steps[0]', 'SUCCEEDED', 1],
      ['mark', 'steps[1]', 'SUCCEEDED', 1],
    ]);
    const log = await events(runId);
    gapFree(log);
    expect(log.at(-1)?.type).toBe('run.succeeded');
    expect(
      (await listRunEvents({ db: t.db, ctx: viewer, input: { id: runId, after: log.length - 1 } })).items.map(
        (e) => e.seq,
      ),
    ).toEqual([log.length]);
    const snapshots = await listRunSnapshots({ db: t.db, ctx: viewer, input: { id: runId } });
    expect(snapshots.items.map((s) => s.stepId)).toEqual(['double', 'mark']);
    expect(snapshots.items[0]?.snapshot).toMatchObject({ vars: { n: 42 } });
    for (const read of [
      () => getRun({ db: t.db, ctx: stranger, input: { id: runId } }),
      () => listRunSteps({ db: t.db, ctx: stranger, input: { id: runId } }),
      () => getRun({ db: t.db, ctx: admin, input: { id: 'not-a-uuid' } }),
    ]) {
      await expect(read()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('lists newest first with filters, text search in the input, and cursor pages', async () => {
    const a = await started('quick', { n: 1, tag: 'needle-7' });
    const b = await started('quick', { n: 2 });
    const byKey = await listRuns({ db: t.db, ctx: viewer, input: { workflow: 'quick', limit: 1 } });
    expect(byKey.items.map((r) => r.id)).toEqual([b]);
    const next = await listRuns({
      db: t.db,
      ctx: viewer,
      input: { workflow: 'quick', limit: 1, cursor: byKey.nextCursor! },
    });
    expect(next.items.map((r) => r.id)).toEqual([a]);
    expect((await listRuns({ db: t.db, ctx: viewer, input: { q: 'needle-7' } })).items.map((r) => r.id)).toEqual([a]);
    expect((await listRuns({ db: t.db, ctx: viewer, input: { q: b } })).items.map((r) => r.id)).toEqual([b]);
    expect(
      (await listRuns({ db: t.db, ctx: viewer, input: { status: 'SUCCEEDED', state: 'doubled' } })).items.every(
        (r) => r.status === 'SUCCEEDED' && r.state === 'doubled',
      ),
    ).toBe(true);
    expect(
      (await listRuns({ db: t.db, ctx: viewer, input: { from: new Date(Date.now() + 60_000).toISOString() } })).items,
    ).toEqual([]);
    expect((await listRuns({ db: t.db, ctx: stranger, input: {} })).items).toEqual([]);
    await expect(listRuns({ db: t.db, ctx: viewer, input: { cursor: 'bm9wZQ' } })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});

describe('pause and resume', () => {
  it('pauses a waiting run at once, keeps an event that arrives meanwhile, and resumes it', async () => {
    const runId = await started('wait-paid', { orderId: 'o-1' });
    expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
    await expect(pauseRun({ db: t.db, ctx: viewer, input: { id: runId } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await pauseRun({ db: t.db, ctx: operator, input: { id: runId, reason: 'checking' } })).toEqual({
      runId,
      status: 'PAUSED',
      requested: false,
    });
    await expect(pauseRun({ db: t.db, ctx: operator, input: { id: runId } })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(
      (
        await deliverEvent({
          db: t.db,
          ctx: operator,
          input: { event: 'order.paid', correlationKey: 'o-1', payload: { amount: 5 } },
        })
      ).resumed,
    ).toEqual([runId]);
    expect((await row(runId)).status).toBe('PAUSED');
    expect(await resumeRun({ db: t.db, ctx: operator, input: { id: runId } })).toMatchObject({ status: 'RUNNING' });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect((await row(runId)).output).toEqual({ amount: 5 });
    const log = await events(runId);
    gapFree(log);
    expect(log.map((e) => e.type)).toEqual(expect.arrayContaining(['run.paused', 'run.resumed', 'run.succeeded']));
    expect(log.find((e) => e.type === 'run.paused')?.data).toMatchObject({ reason: 'checking', from: 'WAITING' });
    const audit = await t.db.selectFrom('audit_log').select('action').where('target_id', '=', runId).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['run.started', 'run.paused', 'run.resumed']));
  });

  it('asks the worker to pause a run it holds, and a QUEUED run paused before it started goes back to QUEUED', async () => {
    const held = await started('quick', { n: 1 });
    await t.db
      .updateTable('runs')
      .set({ status: 'RUNNING', lease_owner: 'w-1', lease_expires_at: new Date(Date.now() + 60_000) })
      .where('id', '=', held)
      .execute();
    expect(await pauseRun({ db: t.db, ctx: operator, input: { id: held } })).toEqual({
      runId: held,
      status: 'RUNNING',
      requested: true,
    });
    expect((await row(held)).pause_requested).toBe(true);
    // The worker lets go; the next claim sees the request and pauses before the first step.
    await t.db.updateTable('runs').set({ lease_owner: null, lease_expires_at: null }).where('id', '=', held).execute();
    expect(await driveRun({ db: t.db, runId: held })).toBe('PAUSED');
    expect((await listRunSteps({ db: t.db, ctx: admin, input: { id: held } })).items).toEqual([]);
    await resumeRun({ db: t.db, ctx: operator, input: { id: held } });
    expect(await driveRun({ db: t.db, runId: held })).toBe('SUCCEEDED');

    const queued = await started('quick', { n: 3 });
    await pauseRun({ db: t.db, ctx: operator, input: { id: queued } });
    expect(await resumeRun({ db: t.db, ctx: operator, input: { id: queued } })).toMatchObject({ status: 'QUEUED' });
    expect(await driveRun({ db: t.db, runId: queued })).toBe('SUCCEEDED');
    gapFree(await events(queued));
  });

  it('lets an admin resume a WAITING run with a payload for its wait; others are refused', async () => {
    const runId = await started('wait-paid', { orderId: 'o-admin' });
    expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
    await expect(
      resumeRun({ db: t.db, ctx: operator, input: { id: runId, payload: { forced: true } } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(
      await resumeRun({
        db: t.db,
        ctx: admin,
        input: { id: runId, payload: { forced: true }, reason: 'customer paid by phone' },
      }),
    ).toMatchObject({ status: 'RUNNING' });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect((await row(runId)).output).toEqual({ forced: true });
    gapFree(await events(runId));
  });
});

describe('cancel', () => {
  it('cancels a waiting run: closes its waits and tasks, marks the waiting step, records CANCELED', async () => {
    const runId = await started('approval');
    expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
    expect(await cancelRun({ db: t.db, ctx: operator, input: { id: runId, reason: 'duplicate' } })).toEqual({
      runId,
      status: 'CANCELED',
      requested: false,
    });
    const run = await row(runId);
    expect(run.error).toMatchObject({ code: 'CANCELED' });
    expect(run.completed_at).not.toBeNull();
    expect(
      (await t.db.selectFrom('run_waits').select('status').where('run_id', '=', runId).execute()).map((w) => w.status),
    ).toEqual(['canceled']);
    expect(
      (await t.db.selectFrom('tasks').select('status').where('run_id', '=', runId).execute()).map((w) => w.status),
    ).toEqual(['canceled']);
    expect((await listRunSteps({ db: t.db, ctx: admin, input: { id: runId } })).items.map((s) => s.status)).toEqual([
      'CANCELED',
    ]);
    const log = await events(runId);
    gapFree(log);
    expect(log.at(-1)).toMatchObject({ type: 'run.canceled', data: { code: 'CANCELED', reason: 'duplicate' } });
    await expect(cancelRun({ db: t.db, ctx: operator, input: { id: runId } })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(cancelRun({ db: t.db, ctx: stranger, input: { id: runId } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('canceling a parent cancels the child run it waits on, even a child waiting on a task', async () => {
    await publishWorkflow({
      db: t.db,
      ctx: admin,
      key: 'parent-of-approval',
      document: {
        steps: [
          { id: 'sub', type: 'control.callWorkflow', config: { workflow: 'approval', input: {}, saveAs: 'vars.sub' } },
        ],
      },
    });
    const parentId = await started('parent-of-approval');
    expect(await driveRun({ db: t.db, runId: parentId })).toBe('WAITING');
    const child = await t.db
      .selectFrom('runs')
      .select('id')
      .where('parent_run_id', '=', parentId)
      .executeTakeFirstOrThrow();
    expect(await driveRun({ db: t.db, runId: child.id })).toBe('WAITING');

    await cancelRun({ db: t.db, ctx: operator, input: { id: parentId, reason: 'no longer needed' } });
    expect((await row(child.id)).status).toBe('WAITING'); // asked, not yet done: a worker ends it
    expect(await driveRun({ db: t.db, runId: child.id })).toBe('CANCELED');
    expect(
      (await t.db.selectFrom('tasks').select('status').where('run_id', '=', child.id).execute()).map(
        (task) => task.status,
      ),
    ).toEqual(['canceled']);
    const log = await events(child.id);
    gapFree(log);
    expect(log.at(-1)).toMatchObject({ type: 'run.canceled' });
  });

  it('asks the worker holding a run to cancel it; the next claim aborts at once', async () => {
    const runId = await started('quick', { n: 1 });
    await t.db
      .updateTable('runs')
      .set({ status: 'RUNNING', lease_owner: 'w-2', lease_expires_at: new Date(Date.now() + 60_000) })
      .where('id', '=', runId)
      .execute();
    expect(await cancelRun({ db: t.db, ctx: operator, input: { id: runId } })).toEqual({
      runId,
      status: 'RUNNING',
      requested: true,
    });
    await t.db.updateTable('runs').set({ lease_owner: null, lease_expires_at: null }).where('id', '=', runId).execute();
    expect(await driveRun({ db: t.db, runId })).toBe('CANCELED');
    expect((await listRunSteps({ db: t.db, ctx: admin, input: { id: runId } })).items).toEqual([]);
  });
});

describe('retry and rerun', () => {
  it('retries a run that failed on a missing secret from the failed step once the secret exists', async () => {
    const runId = await started('needs-secret');
    expect(await driveRun({ db: t.db, runId })).toBe('FAILED');
    expect((await row(runId)).error).toMatchObject({ code: 'SECRET_MISSING', stepId: 'call' });
    await expect(retryRun({ db: t.db, ctx: viewer, input: { id: runId } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await putSecret({ db: t.db, ctx: admin, input: { name: 'api-token', value: 's3cret-value' } });
    expect(await retryRun({ db: t.db, ctx: operator, input: { id: runId } })).toEqual({
      runId,
      status: 'RUNNING',
      requested: false,
    });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    const run = await row(runId);
    expect([run.output, run.error]).toEqual(['called', null]);
    expect(
      (await listRunSteps({ db: t.db, ctx: admin, input: { id: runId } })).items.map((s) => [
        s.stepId,
        s.attempt,
        s.status,
      ]),
    ).toEqual([
      ['call', 1, 'FAILED'],
      ['call', 2, 'SUCCEEDED'],
    ]);
    const log = await events(runId);
    gapFree(log);
    expect(JSON.stringify(log)).not.toContain('s3cret-value');
    await expect(retryRun({ db: t.db, ctx: operator, input: { id: runId } })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('reruns a finished run with the same input and version as a new run', async () => {
    const original = await started('quick', { n: 4 });
    await expect(rerunRun({ db: t.db, ctx: operator, input: { id: original } })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await driveRun({ db: t.db, runId: original });
    const rerun = await rerunRun({ db: t.db, ctx: operator, input: { id: original } });
    expect(rerun.runId).not.toBe(original);
    expect(await driveRun({ db: t.db, runId: rerun.runId })).toBe('SUCCEEDED');
    expect(await getRun({ db: t.db, ctx: admin, input: { id: rerun.runId } })).toMatchObject({
      input: { n: 4 },
      version: 1,
      output: 8,
      trigger: { type: 'rerun', id: original },
    });
  });
});

describe('sync start', () => {
  it('waits for the run to finish and returns its output; answers early with the status when it does not', async () => {
    const pending = startWorkflowRun({
      db: t.db,
      ctx: operator,
      input: { key: 'quick', input: { n: 5 }, mode: 'sync', waitMs: 20_000 },
    });
    // Stand in for the worker: advance the run as soon as it exists.
    let created: { id: string } | undefined;
    while (!created)
      created = await t.db
        .selectFrom('runs')
        .select('id')
        .where('input', '@>', JSON.stringify({ n: 5 }))
        .where('status', '=', 'QUEUED')
        .executeTakeFirst();
    await driveRun({ db: t.db, runId: created.id });
    expect(await pending).toEqual({ runId: created.id, status: 'SUCCEEDED', output: 10, error: null, finished: true });
    const early = await startWorkflowRun({
      db: t.db,
      ctx: operator,
      input: { key: 'wait-paid', input: { orderId: 'never' }, mode: 'sync', waitMs: 50 },
    });
    expect(early).toMatchObject({ status: 'QUEUED', finished: false });
    await expect(startWorkflowRun({ db: t.db, ctx: viewer, input: { key: 'quick', input: {} } })).rejects.toMatchObject(
      { code: 'FORBIDDEN' },
    );
    await expect(
      startWorkflowRun({ db: t.db, ctx: operator, input: { key: 'quick', input: { n: 'x' } } }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
