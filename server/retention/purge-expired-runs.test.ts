import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { purgeExpiredRuns } from '@/server/retention/purge-expired-runs';
import { updateTenantSettings } from '@/server/tenants/update-tenant-settings';
import { deleteRun } from '@/server/runs/delete-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import { storeSnapshotsAsBefore } from '@/test/snapshots-as-before';
import { AppError } from '@/model/errors';

let t: TTestDatabase;
let a: TAuthContext;
let b: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('retention');
  process.env.DATABASE_URL = t.url;
  a = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  b = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  const echo = {
    steps: [
      {
        id: 'echo',
        type: 'action.call',
        config: { action: 'core.echo', version: 1, input: { n: 1 }, saveAs: 'vars.echo' },
      },
      {
        id: 'keyed',
        type: 'action.call',
        config: {
          action: 'core.echo',
          version: 1,
          input: { n: 2 },
          idempotencyKey: { $expr: "'explicit-' & meta.runId" },
        },
      },
    ],
  };
  for (const ctx of [a, b]) await publishWorkflow({ db: t.db, ctx, key: 'plain', document: echo });
  await publishWorkflow({ db: t.db, ctx: a, key: 'short', document: { ...echo, settings: { retentionDays: 2 } } });
  await publishWorkflow({
    db: t.db,
    ctx: a,
    key: 'waits',
    document: { steps: [{ id: 'hold', type: 'event.wait', config: { event: 'never' } }] },
  });
  await publishWorkflow({
    db: t.db,
    ctx: a,
    key: 'parent',
    document: { steps: [{ id: 'child', type: 'control.callWorkflow', config: { workflow: 'plain', input: {} } }] },
  });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function finishedRun(ctx: TAuthContext, key: string): Promise<string> {
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
  await driveRun({ db: t.db, runId });
  return runId;
}
/** Pretends the run (and its children) ended `days` ago. */
async function endedDaysAgo(runId: string, days: number): Promise<void> {
  await sql`UPDATE runs SET completed_at = now() - make_interval(days => ${days}) WHERE id = ${runId} OR parent_run_id = ${runId}`.execute(
    t.db,
  );
}
async function exists(runId: string): Promise<boolean> {
  return (await t.db.selectFrom('runs').select('id').where('id', '=', runId).executeTakeFirst()) !== undefined;
}
async function owned(runId: string) {
  const count = async (table: string) =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE run_id = ${runId}`.execute(t.db))
      .rows[0]!.n;
  return {
    steps: await count('run_steps'),
    events: await count('run_events'),
    // A record's snapshot is in its row; one stored before migration 20270104000000 is a run_snapshots row.
    snapshots: (
      await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM run_steps WHERE run_id = ${runId} AND snapshot IS NOT NULL`.execute(t.db)
    ).rows[0]!.n,
    snapshotsAsBefore: await count('run_snapshots'),
    waits: await count('run_waits'),
    ledger: (
      await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM action_invocations WHERE idempotency_key LIKE ${`${runId}:%`}`.execute(t.db)
    ).rows[0]!.n,
    explicitLedger: (
      await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM action_invocations WHERE idempotency_key = ${`explicit-${runId}`}`.execute(t.db)
    ).rows[0]!.n,
  };
}
async function auditOf(ctx: TAuthContext) {
  return t.db
    .selectFrom('audit_log')
    .select(['actor_label', 'data'])
    .where('tenant_id', '=', ctx.tenantId)
    .where('action', '=', 'runs.purged')
    .orderBy('created_at')
    .execute();
}

describe('retention deletes exactly the expired terminal runs (SPEC §8)', () => {
  it('by version, then tenant, then 30 days; with what they own; never a run still going; one audit entry per tenant and pass', async () => {
    // Tenant b keeps runs 5 days; tenant a has no default (30), and its `short` workflow says 2.
    await updateTenantSettings({ db: t.db, ctx: b, input: { retentionDays: 5 } });

    const aOld = await finishedRun(a, 'plain'); // 31 days: past a's 30
    const aKept = await finishedRun(a, 'plain'); // 29 days: kept
    const aShort = await finishedRun(a, 'short'); // 3 days: past the version's 2
    const aShortKept = await finishedRun(a, 'short'); // 1 day: kept
    const bOld = await finishedRun(b, 'plain'); // 6 days: past b's 5
    const bKept = await finishedRun(b, 'plain'); // 4 days: kept
    const waiting = await finishedRun(a, 'waits'); // WAITING, with a completed_at forced old: never deleted
    const parent = await finishedRun(a, 'parent');
    await endedDaysAgo(aOld, 31);
    await endedDaysAgo(aKept, 29);
    await endedDaysAgo(aShort, 3);
    await endedDaysAgo(aShortKept, 1);
    await endedDaysAgo(bOld, 6);
    await endedDaysAgo(bKept, 4);
    await endedDaysAgo(waiting, 400);
    await endedDaysAgo(parent, 40);
    const child = (
      await t.db.selectFrom('runs').select('id').where('parent_run_id', '=', parent).executeTakeFirstOrThrow()
    ).id;
    expect(await driveRun({ db: t.db, runId: child })).toBe('SUCCEEDED');
    expect(await driveRun({ db: t.db, runId: parent })).toBe('SUCCEEDED');
    await endedDaysAgo(parent, 40);
    expect(
      (await t.db.selectFrom('runs').select('status').where('id', '=', waiting).executeTakeFirstOrThrow()).status,
    ).toBe('WAITING');
    // One of aOld's two snapshots as records stored before keep theirs: retention deletes both kinds.
    const first = await t.db
      .selectFrom('run_steps')
      .select('id')
      .where('run_id', '=', aOld)
      .where('step_id', '=', 'echo')
      .executeTakeFirstOrThrow();
    expect(await storeSnapshotsAsBefore(t.db, aOld, [first.id])).toBe(1);
    const before = await owned(aOld);
    expect(before.steps).toBeGreaterThan(0);
    expect(before.events).toBeGreaterThan(0);
    expect(before.snapshots).toBe(1);
    expect(before.snapshotsAsBefore).toBe(1);
    expect(before.ledger).toBeGreaterThan(0);
    expect(before.explicitLedger).toBe(1);

    const pass = await purgeExpiredRuns({ db: t.db, batchSize: 2 });
    expect(pass.ran).toBe(true);
    expect(pass.deleted).toBe(5); // aOld, aShort, bOld, parent and its child
    expect(pass.batches).toBeGreaterThanOrEqual(2);

    for (const gone of [aOld, aShort, bOld, parent, child]) expect(await exists(gone)).toBe(false);
    for (const kept of [aKept, aShortKept, bKept, waiting]) expect(await exists(kept)).toBe(true);
    const after = await owned(aOld);
    expect(after).toEqual({
      steps: 0,
      events: 0,
      snapshots: 0,
      snapshotsAsBefore: 0,
      waits: 0,
      ledger: 0,
      explicitLedger: 1,
    });
    // What the kept runs own is untouched.
    expect((await owned(aKept)).steps).toBe(before.steps);
    expect((await owned(waiting)).waits).toBe(1);

    expect((await auditOf(a)).map((row) => [row.actor_label, (row.data as { runs: number }).runs])).toEqual([
      ['retention', 4],
    ]);
    expect((await auditOf(b)).map((row) => (row.data as { runs: number }).runs)).toEqual([1]);

    // A second pass finds nothing and writes no audit entry.
    const again = await purgeExpiredRuns({ db: t.db });
    expect(again).toMatchObject({ ran: true, deleted: 0 });
    expect(await auditOf(a)).toHaveLength(1);
  });

  it('keeps a parent whose child run is still going, and the child', async () => {
    const parent = await finishedRun(a, 'parent');
    const child = (
      await t.db.selectFrom('runs').select('id').where('parent_run_id', '=', parent).executeTakeFirstOrThrow()
    ).id;
    expect(await driveRun({ db: t.db, runId: child })).toBe('SUCCEEDED');
    expect(await driveRun({ db: t.db, runId: parent })).toBe('SUCCEEDED');
    await endedDaysAgo(parent, 90);
    // A child still going after its parent ended (its cancel not yet served).
    await t.db.updateTable('runs').set({ status: 'RUNNING' }).where('id', '=', child).execute();
    const pass = await purgeExpiredRuns({ db: t.db });
    expect(pass.deleted).toBe(0);
    expect(await exists(parent)).toBe(true);
    expect(await exists(child)).toBe(true);
    await t.db.updateTable('runs').set({ status: 'CANCELED' }).where('id', '=', child).execute();
    expect((await purgeExpiredRuns({ db: t.db })).deleted).toBe(2);
    expect(await exists(parent)).toBe(false);
  });

  it('one purger at a time: a pass finding the lock held does nothing', async () => {
    const old = await finishedRun(a, 'plain');
    await endedDaysAgo(old, 60);
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtext('pipewright.retention'))`);
      expect(await purgeExpiredRuns({ db: t.db })).toMatchObject({ ran: false, deleted: 0 });
      expect(await exists(old)).toBe(true);
      await other.query(`SELECT pg_advisory_unlock(hashtext('pipewright.retention'))`);
    } finally {
      await other.end();
    }
    // Two passes at once: each expired run is deleted once, and nothing fails.
    const more = await Promise.all([1, 2, 3].map(() => finishedRun(a, 'plain')));
    for (const id of more) await endedDaysAgo(id, 60);
    const passes = await Promise.all([purgeExpiredRuns({ db: t.db }), purgeExpiredRuns({ db: t.db })]);
    expect(passes.reduce((sum, p) => sum + p.deleted, 0)).toBe(4);
    for (const id of [old, ...more]) expect(await exists(id)).toBe(false);
  });
});

describe('deleting one run now (admin)', () => {
  it('deletes an ended run with what it owns, refuses a run still going and other roles, and answers 404 across tenants', async () => {
    const done = await finishedRun(a, 'plain');
    const going = await finishedRun(a, 'waits');
    const editor = { ...a, role: 'editor' as const };
    await expect(deleteRun({ db: t.db, ctx: editor, input: { id: done } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(deleteRun({ db: t.db, ctx: b, input: { id: done } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const refused = await deleteRun({ db: t.db, ctx: a, input: { id: going } }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'CONFLICT' });
    expect((refused as AppError).message).toMatch(/WAITING/);
    expect(await exists(going)).toBe(true);

    expect(await deleteRun({ db: t.db, ctx: a, input: { id: done, reason: 'customer asked' } })).toEqual({
      runId: done,
      deleted: 1,
    });
    expect(await exists(done)).toBe(false);
    expect((await owned(done)).steps).toBe(0);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['data'])
      .where('action', '=', 'run.deleted')
      .where('target_id', '=', done)
      .executeTakeFirstOrThrow();
    expect(audit.data).toMatchObject({ workflow: 'plain', reason: 'customer asked' });
  });
});
