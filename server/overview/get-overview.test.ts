import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { getOverview } from '@/server/overview/get-overview';
import { rollupMetrics } from '@/server/metrics/rollup-metrics';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let admin: TAuthContext;
let viewer: TAuthContext;
let other: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('overview');
  process.env.DATABASE_URL = t.url;
  admin = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  viewer = (await addMemberTo({ db: t.db, ctx: admin, role: 'viewer' })).ctx;
  other = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'ok',
    document: { steps: [{ id: 'set', type: 'state.set', config: { state: 'done' } }] },
  });
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'boom',
    document: { steps: [{ id: 'fail', type: 'control.fail', config: { code: 'NOPE', message: 'always fails' } }] },
  });
  const form = { type: 'object', properties: {} };
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'ask',
    document: {
      steps: [
        {
          id: 'ask',
          type: 'human.task',
          config: { title: 'Look', form, outcomes: ['ok'], assignee: { role: 'operator' } },
        },
      ],
    },
  });
  await publishWorkflow({
    db: t.db,
    ctx: other,
    key: 'ok',
    document: { steps: [{ id: 'set', type: 'state.set', config: { state: 'done' } }] },
  });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function run(ctx: TAuthContext, key: string, drive = true): Promise<string> {
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
  if (!drive) return runId;
  await driveRun({ db: t.db, runId });
  // driveRun advances the run in-process; a worker would have taken its job off the queue.
  await sql`UPDATE pgboss.job SET state = 'completed' WHERE data->>'runId' = ${runId}`.execute(t.db);
  return runId;
}

describe('getOverview', () => {
  it('is all zeros for a new tenant, with 24 hourly and 7 daily buckets', async () => {
    const overview = await getOverview({ db: t.db, ctx: admin });
    expect(overview.hourly).toHaveLength(24);
    expect(overview.daily).toHaveLength(7);
    expect(overview.hourly.every((b) => b.started === 0 && b.succeeded === 0 && b.failed === 0)).toBe(true);
    expect(overview).toMatchObject({
      active: { queued: 0, running: 0, waiting: 0, paused: 0 },
      slowest: [],
      failing: [],
      openTasks: 0,
      queueDepth: 0,
      totalRuns7d: 0,
    });
    const hours = overview.hourly.map((b) => Date.parse(b.at));
    expect(hours[23]! - hours[0]!).toBe(23 * 3_600_000);
  });

  it('counts runs over time, what is active, the slowest and the most failing workflows, tasks and queue, of this tenant only', async () => {
    await run(admin, 'ok');
    await run(admin, 'ok');
    await run(admin, 'boom');
    await run(admin, 'ask');
    await run(admin, 'ok', false);
    await run(other, 'ok');
    await run(other, 'ok', false);
    // A run that took a minute, so it is the slowest.
    const slow = await run(admin, 'boom');
    await sql`UPDATE runs SET status = 'SUCCEEDED', started_at = completed_at - interval '1 minute' WHERE id = ${slow}`.execute(
      t.db,
    );

    const overview = await getOverview({ db: t.db, ctx: viewer });
    expect(overview.totalRuns7d).toBe(6);
    expect(overview.hourly.at(-1)).toMatchObject({ started: 6, succeeded: 3, failed: 1 });
    expect(overview.daily.at(-1)).toMatchObject({ started: 6, succeeded: 3, failed: 1 });
    expect(overview.active).toEqual({ queued: 1, running: 0, waiting: 1, paused: 0 });
    expect(overview.openTasks).toBe(1);
    expect(overview.queueDepth).toBe(1);
    expect(overview.failing).toEqual([{ workflowKey: 'boom', runs: 2, failed: 1 }]);
    expect(overview.slowest[0]).toMatchObject({ workflowKey: 'boom', runs: 1 });
    expect(overview.slowest[0]!.avgMs).toBeGreaterThanOrEqual(60_000);
    expect(overview.slowest.map((s) => s.workflowKey)).toEqual(['boom', 'ok']);

    const theirs = await getOverview({ db: t.db, ctx: other });
    expect(theirs).toMatchObject({
      totalRuns7d: 2,
      active: { queued: 1, running: 0, waiting: 0, paused: 0 },
      openTasks: 0,
      queueDepth: 1,
      failing: [],
    });
  });

  it('reads the same week from the hourly rollup as from the runs, each run once on either side of the watermark', async () => {
    const fromRuns = await getOverview({ db: t.db, ctx: admin });
    const rolled = await rollupMetrics({ db: t.db, lagMs: 0 });
    expect(rolled).not.toBeNull();
    const counted = await t.db
      .selectFrom('run_hour_counts')
      .select((eb) => eb.fn.sum<string>('created').as('n'))
      .where('tenant_id', '=', admin.tenantId)
      .executeTakeFirstOrThrow();
    expect(Number(counted.n)).toBe(6); // the week is now read from the rollup, not the runs
    expect(await getOverview({ db: t.db, ctx: admin })).toEqual(fromRuns);

    // One run after the watermark, of a workflow the rollup already counted: added once, to the same hour.
    await run(admin, 'boom');
    const split = await getOverview({ db: t.db, ctx: admin });
    expect(split.totalRuns7d).toBe(7);
    expect(split.hourly.at(-1)).toMatchObject({ started: 7, succeeded: 3, failed: 2 });
    expect(split.failing).toEqual([{ workflowKey: 'boom', runs: 3, failed: 2 }]);

    // Rolling up twice counts nothing twice; the other tenant's week stays its own.
    await rollupMetrics({ db: t.db, lagMs: 0 });
    await rollupMetrics({ db: t.db, lagMs: 0 });
    expect(await getOverview({ db: t.db, ctx: admin })).toEqual(split);
    expect(await getOverview({ db: t.db, ctx: other })).toMatchObject({ totalRuns7d: 2, failing: [] });
  });

  it("counts the queue's ready jobs of runs that have not ended, whatever else the tenant and the queue hold", async () => {
    const before = await getOverview({ db: t.db, ctx: admin });
    const waiting = await run(admin, 'ok', false);
    const ended = await run(admin, 'ok', false);
    expect((await getOverview({ db: t.db, ctx: admin })).queueDepth).toBe(before.queueDepth + 2);
    // A run canceled before a worker took its job: the job is still in the queue, but no work waits on it.
    await sql`UPDATE runs SET status = 'CANCELED', completed_at = now() WHERE id = ${ended}`.execute(t.db);
    const after = await getOverview({ db: t.db, ctx: admin });
    expect(after.queueDepth).toBe(before.queueDepth + 1);
    expect(after.active.queued).toBe(before.active.queued + 1);
    // A job scheduled for later is not ready; the other tenant's jobs never count.
    await sql`UPDATE pgboss.job SET start_after = now() + interval '1 hour' WHERE data->>'runId' = ${waiting}`.execute(
      t.db,
    );
    expect((await getOverview({ db: t.db, ctx: admin })).queueDepth).toBe(before.queueDepth);
    expect((await getOverview({ db: t.db, ctx: other })).queueDepth).toBe(1);
  });
});
