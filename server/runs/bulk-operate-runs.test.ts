import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { bulkOperateRuns } from '@/server/runs/bulk-operate-runs';
import { getStepSnapshot } from '@/server/runs/get-step-snapshot';
import { listRunSteps } from '@/server/runs/list-run-steps';
import { listRuns } from '@/server/runs/list-runs';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let admin: TAuthContext;
let operator: TAuthContext;
let viewer: TAuthContext;
let stranger: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('bulk_runs');
  process.env.DATABASE_URL = t.url;
  admin = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  operator = (await addMemberTo({ db: t.db, ctx: admin, role: 'operator' })).ctx;
  viewer = (await addMemberTo({ db: t.db, ctx: admin, role: 'viewer' })).ctx;
  stranger = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'waits',
    document: {
      steps: [
        { id: 'mark', type: 'state.set', config: { state: 'parked' } },
        { id: 'park', type: 'event.wait', config: { event: 'never' } },
      ],
    },
  });
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'fails',
    document: {
      steps: [
        { id: 'note', type: 'transform.assign', config: { assign: { 'vars.password': 'hunter2', 'vars.n': 1 } } },
        { id: 'boom', type: 'control.fail', config: { code: 'BROKEN', message: 'broken' } },
      ],
    },
  });
  await publishWorkflow({
    db: t.db,
    ctx: stranger,
    key: 'waits',
    document: { steps: [{ id: 'park', type: 'event.wait', config: { event: 'never' } }] },
  });
});
afterAll(async () => {
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

async function run(ctx: TAuthContext, key: string, input: unknown): Promise<string> {
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input, trigger: { type: 'api' } });
  await driveRun({ db: t.db, runId });
  return runId;
}

describe('bulk cancel and retry', () => {
  it('counts, then cancels only the runs of this tenant that match the filter and may be canceled', async () => {
    const mine = [
      await run(admin, 'waits', { batch: 'b1' }),
      await run(admin, 'waits', { batch: 'b1' }),
      await run(admin, 'waits', { batch: 'other' }),
    ];
    const failed = await run(admin, 'fails', { batch: 'b1' });
    const theirs = await run(stranger, 'waits', { batch: 'b1' });
    const preview = await bulkOperateRuns({
      db: t.db,
      ctx: operator,
      input: { operation: 'cancel', filter: { q: 'b1' }, dryRun: true },
    });
    expect(preview).toMatchObject({ eligible: 2, remaining: 0, done: 0 });
    expect(
      await bulkOperateRuns({
        db: t.db,
        ctx: operator,
        input: { operation: 'cancel', filter: { q: 'b1' }, reason: 'cleanup' },
      }),
    ).toMatchObject({ eligible: 2, done: 2, failed: [] });
    const statuses = await t.db
      .selectFrom('runs')
      .select(['id', 'status'])
      .where('id', 'in', [...mine, failed, theirs])
      .execute();
    const status = (id: string) => statuses.find((s) => s.id === id)?.status;
    expect([status(mine[0]!), status(mine[1]!), status(mine[2]!), status(failed), status(theirs)]).toEqual([
      'CANCELED',
      'CANCELED',
      'WAITING',
      'FAILED',
      'WAITING',
    ]);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'target_id', 'data'])
      .where('action', '=', 'run.canceled')
      .where('target_id', 'in', mine)
      .execute();
    expect(audit).toHaveLength(2);
    expect(audit[0]!.data).toMatchObject({ reason: 'cleanup' });
  });

  it('retries picked runs that failed, and refuses viewers and runs of another tenant', async () => {
    const failed = await run(admin, 'fails', { batch: 'r' });
    const waiting = await run(admin, 'waits', { batch: 'r' });
    const theirs = await run(stranger, 'waits', {});
    await expect(
      bulkOperateRuns({ db: t.db, ctx: viewer, input: { operation: 'retry', ids: [failed] } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      bulkOperateRuns({ db: t.db, ctx: operator, input: { operation: 'cancel', ids: [theirs] } }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(bulkOperateRuns({ db: t.db, ctx: operator, input: { operation: 'cancel' } })).rejects.toThrow(
      'pick runs (ids) or give a filter',
    );
    expect(
      await bulkOperateRuns({
        db: t.db,
        ctx: operator,
        input: { operation: 'retry', ids: [failed, waiting], reason: 'fixed' },
      }),
    ).toMatchObject({ eligible: 1, done: 1 });
    const row = await t.db.selectFrom('runs').select('status').where('id', '=', theirs).executeTakeFirstOrThrow();
    expect(row.status).toBe('WAITING');
    expect(
      (await t.db.selectFrom('runs').select('status').where('id', '=', waiting).executeTakeFirstOrThrow()).status,
    ).toBe('WAITING');
  });
});

describe('runs list filters and step snapshots', () => {
  it('filters by workflow, status, state and input text, pages with a cursor, and never shows another tenant', async () => {
    const a = await run(admin, 'waits', { customer: 'Zebra Corp' });
    await run(admin, 'waits', { customer: 'Yak Ltd' });
    expect((await listRuns({ db: t.db, ctx: viewer, input: { q: 'zebra' } })).items.map((r) => r.id)).toEqual([a]);
    expect((await listRuns({ db: t.db, ctx: viewer, input: { q: a } })).items.map((r) => r.id)).toEqual([a]);
    const parked = await listRuns({
      db: t.db,
      ctx: viewer,
      input: { workflow: 'waits', status: 'WAITING', state: 'parked' },
    });
    expect(parked.items.length).toBeGreaterThanOrEqual(2);
    expect(parked.items.every((r) => r.workflowKey === 'waits' && r.status === 'WAITING' && r.state === 'parked')).toBe(
      true,
    );
    const first = await listRuns({ db: t.db, ctx: viewer, input: { limit: 2 } });
    const second = await listRuns({ db: t.db, ctx: viewer, input: { limit: 2, cursor: first.nextCursor! } });
    expect(second.items.map((r) => r.id).some((id) => first.items.some((r) => r.id === id))).toBe(false);
    expect((await listRuns({ db: t.db, ctx: stranger, input: { q: 'zebra' } })).items).toEqual([]);
    expect(
      (await listRuns({ db: t.db, ctx: viewer, input: { from: new Date(Date.now() + 60_000).toISOString() } })).items,
    ).toEqual([]);
  });

  it("returns one step attempt's redacted snapshot, and nothing for another tenant", async () => {
    const failed = await run(admin, 'fails', {});
    const steps = (await listRunSteps({ db: t.db, ctx: viewer, input: { id: failed } })).items;
    const note = steps.find((s) => s.stepId === 'note')!;
    const boom = steps.find((s) => s.stepId === 'boom')!;
    const snapshot = await getStepSnapshot({ db: t.db, ctx: viewer, input: { id: failed, stepRecordId: note.id } });
    expect(snapshot).toMatchObject({
      stepId: 'note',
      truncated: false,
      snapshot: { vars: { password: '[redacted]', n: 1 } },
    });
    expect(await getStepSnapshot({ db: t.db, ctx: viewer, input: { id: failed, stepRecordId: boom.id } })).toBeNull();
    await expect(
      getStepSnapshot({ db: t.db, ctx: stranger, input: { id: failed, stepRecordId: note.id } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
