import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { oldestHeldRun } from '@/server/runtime/run-store/end-run-effects';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import { cloneRuns } from '@/test/clone-runs';

/**
 * The held run a finishing run hands its slot to (a CTE of every finishing run's commit): the
 * oldest QUEUED run of the workflow claimed before and handed back by admission, or being
 * admitted now under limits. It must not walk the workflow's backlog of runs never claimed,
 * which it did on every finish (1,000 queued runs: ~1 ms of PostgreSQL per finishing run).
 */
const BACKLOG = 3_000;
let t: TTestDatabase;
let ctx: TAuthContext;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestDatabase('oldest_held_run');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  for (const key of ['limited', 'unlimited']) {
    await publishWorkflow({
      db: t.db,
      ctx,
      key,
      document: {
        settings: key === 'limited' ? { maxConcurrentRuns: 1 } : {},
        steps: [{ id: 'hear', type: 'event.wait', config: { event: 'never.sent' } }],
      },
    });
    ids[key] = (
      await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } })
    ).runId;
  }
});
afterAll(async () => {
  await t.close();
}, 120_000);

async function workflowId(key: string): Promise<string> {
  const row = await t.db.selectFrom('workflows').select('id').where('key', '=', key).executeTakeFirstOrThrow();
  return row.id;
}

async function oldest(key: string, except: string | null = null): Promise<string | null> {
  const rows = await oldestHeldRun(await workflowId(key), except).execute(t.db);
  return rows.rows[0]?.id ?? null;
}

it('finds the oldest held or being-admitted run in two index probes, past a backlog of runs never claimed', async () => {
  // A backlog of the limited workflow never claimed (fence 0): not held, each has its own job coming.
  await cloneRuns(t.db, ids.limited!, BACKLOG, { status: 'QUEUED', fence: 0 }, 0);
  await cloneRuns(t.db, ids.unlimited!, 1_000, { status: 'SUCCEEDED', fence: 1, lease_owner: null }, 0);
  await sql`ANALYZE runs`.execute(t.db);
  expect(await oldest('limited')).toBeNull();

  // Handed back by admission (no lease): the newer and the older one.
  const held = { status: 'QUEUED', fence: 2, lease_owner: null, lease_expires_at: null };
  const [newerHeld] = await cloneRuns(t.db, ids.limited!, 1, held, 10_000);
  const [olderHeld] = await cloneRuns(t.db, ids.limited!, 1, held, 20_000);
  expect(await oldest('limited')).toBe(olderHeld);
  expect(await oldest('limited', olderHeld!)).toBe(newerHeld);

  // Being admitted now (leased, QUEUED, its version limited), older still: it is the one.
  const leased = { status: 'QUEUED', fence: 1, lease_owner: 'worker-x', lease_expires_at: '2100-01-01T00:00:00Z' };
  const [admitting] = await cloneRuns(t.db, ids.limited!, 1, leased, 30_000);
  expect(await oldest('limited')).toBe(admitting);
  expect(await oldest('limited', admitting!)).toBe(olderHeld);

  // A leased QUEUED run of a version without limits is in its first pass: no slot concerns it.
  await cloneRuns(t.db, ids.unlimited!, 1, leased, 40_000);
  expect(await oldest('unlimited')).toBeNull();

  const explained = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, BUFFERS) ${oldestHeldRun(
    await workflowId('limited'),
    null,
  )}`.execute(t.db);
  const plan = explained.rows.map((row) => row['QUERY PLAN']).join('\n');
  expect(plan).toContain('runs_held_idx');
  expect(plan).toContain('runs_leased_idx');
  // runs_queued_idx holds the whole backlog: reading it was the cost.
  expect(plan).not.toContain('runs_queued_idx');
  expect(plan).not.toMatch(/Seq Scan on runs/);
  const removed = [...plan.matchAll(/Rows Removed by Filter: (\d+)/g)].map((m) => Number(m[1]));
  expect(Math.max(0, ...removed)).toBeLessThan(10);
}, 300_000);

it('does not walk the leased QUEUED runs of a workflow nothing can hold', async () => {
  // Runs in hand of the unlimited workflow, each in its first pass (leased, QUEUED, claimed once).
  const leased = { status: 'QUEUED', fence: 1, lease_owner: 'worker-y', lease_expires_at: '2100-01-01T00:00:00Z' };
  await cloneRuns(t.db, ids.unlimited!, 50, leased, 50_000);
  await sql`ANALYZE runs`.execute(t.db);
  // The plan line of the leased runs' index: "(never executed)" when the one-time filter skipped it.
  const leasedProbe = async (key: string) => {
    const explained = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, COSTS OFF) ${oldestHeldRun(
      await workflowId(key),
      null,
    )}`.execute(t.db);
    return explained.rows.map((row) => row['QUERY PLAN']).find((line) => line.includes('runs_leased_idx')) ?? '';
  };
  expect(await oldest('unlimited')).toBeNull();
  expect(await leasedProbe('unlimited')).toContain('never executed');

  // The workflow paused, or its tenant limited: a leased run may be held, so the probe is made.
  await t.db.updateTable('workflows').set({ paused: true }).where('key', '=', 'unlimited').execute();
  expect(await leasedProbe('unlimited')).toMatch(/runs_leased_idx.*\(actual/);
  expect(await oldest('unlimited')).not.toBeNull();
  await t.db.updateTable('workflows').set({ paused: false }).where('key', '=', 'unlimited').execute();
  await t.db.updateTable('tenants').set({ max_concurrent_runs: 5 }).where('id', '=', ctx.tenantId).execute();
  expect(await oldest('unlimited')).not.toBeNull();
  await t.db.updateTable('tenants').set({ max_concurrent_runs: null }).where('id', '=', ctx.tenantId).execute();
  expect(await oldest('unlimited')).toBeNull();
}, 300_000);
