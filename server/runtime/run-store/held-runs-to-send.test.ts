import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { ADVANCE_QUEUE, advanceJobTable } from '@/server/runtime/queue/run-queue';
import { heldRunsToSend } from '@/server/runtime/run-store/held-runs-to-send';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

/**
 * The reaper's held-run look on a large runs table: 60 % ended, 9 % queued behind a backlog
 * and never claimed, 30 % held by one workflow's limit, 1 % by another's, 17 holding slots.
 * The look must be served by indexes (runs_held_idx above all), never read the table through,
 * and send exactly the free slots' worth of runs. 20,000 runs by default (seeding is most of
 * the test's time); `HELD_PLAN_RUNS=100000` for the figure in ARCHITECTURE.md.
 */
const RUNS = Number(process.env.HELD_PLAN_RUNS ?? 10_000);
let t: TTestDatabase;
let ctx: TAuthContext;
beforeAll(async () => {
  t = await createTestDatabase('held_runs_plan');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
});
afterAll(async () => {
  await t.close();
}, 120_000);

/** `count` copies of the template run, each with a new id, the given columns and created a second apart. */
async function cloneRuns(template: string, count: number, columns: Record<string, unknown>): Promise<void> {
  await t.db.transaction().execute(async (tx) => {
    // The copies' foreign keys are the template's: their per-row checks (four per run) are skipped.
    await sql`SET LOCAL session_replication_role = replica`.execute(tx);
    await sql`
      INSERT INTO runs
      SELECT (jsonb_populate_record(null::runs, to_jsonb(r) || ${JSON.stringify(columns)}::jsonb
                || jsonb_build_object('id', gen_random_uuid(), 'created_at', now() - make_interval(secs => g)))).*
        FROM runs r, generate_series(1, ${count}) g
       WHERE r.id = ${template}`.execute(tx);
  });
}

it('on a large runs table the held-run look is index-served and sends the free slots, no more', async () => {
  const templates: string[] = [];
  for (const key of ['held-big', 'held-small', 'unlimited']) {
    await publishWorkflow({
      db: t.db,
      ctx,
      key,
      document: {
        settings: key === 'unlimited' ? {} : { maxConcurrentRuns: 10 },
        steps: [{ id: 'hear', type: 'event.wait', config: { event: 'never.sent' } }],
      },
    });
    templates.push(
      (await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } })).runId,
    );
  }
  const [big, small, unlimited] = templates as [string, string, string];
  const held = { status: 'QUEUED', fence: 2, lease_owner: null, updated_at: '2026-01-01T00:00:00Z' };
  await cloneRuns(unlimited, RUNS * 0.6, { status: 'SUCCEEDED', fence: 1, started_at: '2026-01-01T00:00:00Z' });
  await cloneRuns(unlimited, RUNS * 0.09, { status: 'QUEUED', fence: 0 });
  await cloneRuns(big, RUNS * 0.3, held);
  await cloneRuns(small, RUNS * 0.01, held);
  // 7 of held-big's 10 slots taken, all of held-small's.
  await cloneRuns(big, 7, { status: 'WAITING', fence: 1, started_at: '2026-01-01T00:00:00Z' });
  await cloneRuns(small, 10, { status: 'WAITING', fence: 1, started_at: '2026-01-01T00:00:00Z' });
  await sql`DELETE FROM runs WHERE id = ANY(${templates})`.execute(t.db);
  await sql`ANALYZE runs`.execute(t.db);
  expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM runs`.execute(t.db)).rows[0]!.n).toBe(RUNS + 17);

  const look = heldRunsToSend({ jobTable: await advanceJobTable(), queue: ADVANCE_QUEUE });
  const sent = await sql<{ id: string; workflow_key: string }>`
    SELECT r.id, r.workflow_key FROM ${look} x JOIN runs r ON r.id = x.id`.execute(t.db);
  expect(sent.rows.map((row) => row.workflow_key)).toEqual(['held-big', 'held-big', 'held-big']);
  // The three oldest of held-big's held runs.
  const oldest = await sql<{ id: string }>`
    SELECT id FROM runs WHERE workflow_key = 'held-big' AND status = 'QUEUED' ORDER BY created_at LIMIT 3`.execute(
    t.db,
  );
  expect(sent.rows.map((row) => row.id).sort()).toEqual(oldest.rows.map((row) => row.id).sort());

  const explained = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM ${look} x`.execute(
    t.db,
  );
  const plan = explained.rows.map((row) => row['QUERY PLAN']).join('\n');
  console.log(`held-run look on ${RUNS + 17} runs:\n${plan}`);
  expect(plan).toContain('runs_held_idx');
  expect(plan).not.toMatch(/Seq Scan on runs/);
}, 1_800_000);
