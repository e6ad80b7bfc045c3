import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { getStuckWork } from '@/server/overview/get-stuck-work';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import { advanceRun } from '@/server/runtime/advance-run';
import { LeaseKeeper } from '@/server/runtime/run-store/lease-keeper';

let t: TTestDatabase;
let a: TAuthContext;
let b: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('stuck_work');
  process.env.DATABASE_URL = t.url;
  a = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  b = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  for (const ctx of [a, b])
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'sleepy',
      document: { steps: [{ id: 'nap', type: 'time.delay', config: { durationMs: 3_600_000 } }] },
    });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

const start = async (ctx: TAuthContext) =>
  (await startRun({ tenantId: ctx.tenantId, workflowKey: 'sleepy', input: {}, trigger: { type: 'api' } })).runId;

it('lists runs without progress past the threshold, overdue waits and the oldest queued run; nothing healthy, nothing of another tenant', async () => {
  expect(await getStuckWork({ db: t.db, ctx: a })).toMatchObject({
    noProgress: [],
    overdueWaits: [],
    oldestQueued: null,
  });

  const stuck = await start(a);
  const fresh = await start(a);
  const overdue = await start(a);
  const healthyWait = await start(a);
  const leases = new LeaseKeeper(t.db, 'w-test', () => {});
  for (const id of [overdue, healthyWait]) {
    await advanceRun({ db: t.db, runId: id, workerId: 'w-test', leases });
    expect((await t.db.selectFrom('runs').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe(
      'WAITING',
    );
  }
  // A worker took `stuck` and then nothing changed for an hour; `fresh` changed just now.
  await sql`UPDATE runs SET status = 'RUNNING', updated_at = now() - interval '1 hour', lease_owner = 'w-gone', fence = 1 WHERE id = ${stuck}`.execute(
    t.db,
  );
  await sql`UPDATE runs SET status = 'RUNNING', updated_at = now() WHERE id = ${fresh}`.execute(t.db);
  // `stepping` was taken an hour ago and has committed steps under its lease since, the last just
  // now: such commits move progressed_at only (they are HOT updates), and that is progress.
  const stepping = await start(a);
  await sql`UPDATE runs SET status = 'RUNNING', updated_at = now() - interval '1 hour', progressed_at = now(), lease_owner = 'w-busy', fence = 1 WHERE id = ${stepping}`.execute(
    t.db,
  );
  // `overdue`'s timer came due ten minutes ago and nobody acted on it.
  await sql`UPDATE run_waits SET resume_at = now() - interval '10 minutes' WHERE run_id = ${overdue} AND status = 'open'`.execute(
    t.db,
  );
  const queued = await start(a);
  await sql`UPDATE runs SET created_at = now() - interval '2 hours' WHERE id = ${queued}`.execute(t.db);
  // Tenant b's stuck run is not a's business.
  const other = await start(b);
  await sql`UPDATE runs SET status = 'RUNNING', updated_at = now() - interval '1 hour' WHERE id = ${other}`.execute(
    t.db,
  );

  // A viewer sees it too: it is read-only.
  const work = await getStuckWork({ db: t.db, ctx: { ...a, role: 'viewer' } });
  expect(work.noProgress.map((row) => [row.runId, row.detail])).toEqual([[stuck, 'held by w-gone']]);
  expect(work.overdueWaits.map((row) => [row.runId, row.status, row.detail])).toEqual([
    [overdue, 'WAITING', 'timer wait at steps[0]'],
  ]);
  expect(work.oldestQueued).toMatchObject({ runId: queued, workflowKey: 'sleepy', detail: 'waiting for a worker' });
  expect(JSON.stringify(work)).not.toContain(other);
  expect(JSON.stringify(work)).not.toContain(healthyWait);
  expect(JSON.stringify(work)).not.toContain(fresh);
  expect(JSON.stringify(work)).not.toContain(stepping);
});
