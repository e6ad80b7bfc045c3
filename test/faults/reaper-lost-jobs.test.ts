import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { cancelRun } from '@/server/runs/cancel-run';
import { ADVANCE_JOB_INDEX, hasLiveAdvanceJob } from '@/server/runtime/queue/advance-job-index';
import { ADVANCE_QUEUE, advanceJobTable } from '@/server/runtime/queue/run-queue';
import { claimRun } from '@/server/runtime/run-store/claim-run';
import { reapStalledRuns } from '@/server/runtime/run-store/reap-stalled-runs';
import { startRun } from '@/server/runtime/start-run';
import type { TTestDatabase } from '@/test/database';
import { publishWorkflow } from '@/test/runtime';
import { expireLeasesOf } from '@/test/faults/fault-harness';
import { workOffJobs } from '@/test/faults/work-off-jobs';
import { openRuntimeTenant } from '@/test/faults/runtime-tenant';

/**
 * The reaper's look for lost jobs (issue #16): a QUEUED or RUNNING run nobody has touched for
 * 2 minutes gets a job only when no job will reach it. Behind a backlog every queued run is
 * that old with its first job still waiting, and each used to get a second one. The runs the
 * reaper exists for (a job lost, a lease expired, a held run beside a free slot) still get
 * theirs. Age is simulated by moving `updated_at` back, not by waiting.
 */
let t: TTestDatabase;
let editor: TAuthContext;
let operator: TAuthContext;
beforeAll(async () => {
  ({ t, editor, operator } = await openRuntimeTenant('reaper_lost_jobs'));
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'one-step',
    document: { steps: [{ id: 'a', type: 'transform.assign', config: { assign: { 'vars.a': 1 } } }] },
  });
});
afterEach(async () => {
  // Each test's runs are its own: what one left runnable is not the next one's business.
  await sql`UPDATE runs SET status = 'CANCELED', lease_owner = NULL, lease_expires_at = NULL WHERE status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELED')`.execute(
    t.db,
  );
});
afterAll(async () => {
  await t.close();
});

const start = async (key = 'one-step') =>
  (await startRun({ tenantId: editor.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } })).runId;

/** Every advance job sent for the run, oldest first. */
const jobsOf = async (runId: string) =>
  (
    await sql<{ state: string }>`
      SELECT state FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId} ORDER BY created_on`.execute(
      t.db,
    )
  ).rows.map((job) => job.state);

const ageRuns = (runIds: string[], interval: string) =>
  sql`UPDATE runs SET updated_at = now() - ${interval}::interval WHERE id = ANY(${runIds})`.execute(t.db);

const setJobs = (runId: string, state: 'active' | 'failed', startedAgo = '0 seconds') =>
  sql`UPDATE pgboss.job SET state = ${state}, started_on = now() - ${startedAgo}::interval
       WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId}`.execute(t.db);

const statusOf = async (runId: string) =>
  (await t.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow()).status;

it('a run queued behind a backlog for 3 minutes, its first job due and not yet taken, gets no second job', async () => {
  const runId = await start();
  await ageRuns([runId], '3 minutes');
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
  expect(await jobsOf(runId)).toEqual(['created']);
});

it('a run whose job was lost (it failed without a claim) is sent one once it is 2 minutes old, and then finishes', async () => {
  const runId = await start();
  await setJobs(runId, 'failed');
  await ageRuns([runId], '90 seconds');
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
  await ageRuns([runId], '3 minutes');
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  expect(await jobsOf(runId)).toEqual(['failed', 'created']);
  // Touched when sent: the next pass does not send it again.
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
  expect(await workOffJobs(t.db, runId)).toBe(1);
  expect(await statusOf(runId)).toBe('SUCCEEDED');
});

it('a job a worker fetched and has not claimed the run with for 30 s (it died, or lost its connection, with it) does not count', async () => {
  const runId = await start();
  await ageRuns([runId], '3 minutes');
  // Taken a moment ago, its worker waiting for a free slot (and naming the job with its
  // heartbeat, workers.fetched_jobs): on its way.
  await setJobs(runId, 'active', '5 seconds');
  await sql`INSERT INTO workers (id, hostname, pid, fetched_jobs)
            SELECT 'waiting-for-a-slot', 'test', 1, array_agg(id) FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId}`.execute(
    t.db,
  );
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
  // Taken a minute ago and still not claimed by a worker that no longer beats: it is gone
  // (pg-boss would leave the job active for 15 minutes; a chaos run's child sat QUEUED behind one).
  await sql`UPDATE workers SET heartbeat_at = now() - interval '1 minute' WHERE id = 'waiting-for-a-slot'`.execute(
    t.db,
  );
  await setJobs(runId, 'active', '1 minute');
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  expect(await jobsOf(runId)).toEqual(['active', 'created']);
});

it('a RUNNING run whose only job is due later (its timeout) needs a pass now and is sent one', async () => {
  const runId = await start();
  await sql`UPDATE pgboss.job SET start_after = now() + interval '1 hour' WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId}`.execute(
    t.db,
  );
  await sql`UPDATE runs SET status = 'RUNNING', fence = 1, updated_at = now() - interval '3 minutes' WHERE id = ${runId}`.execute(
    t.db,
  );
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
});

it('a run whose worker died holding its lease is sent a job once the lease expired', async () => {
  const runId = await start();
  await setJobs(runId, 'failed');
  const claimed = await claimRun({ db: t.db, runId, workerId: 'dead-worker' });
  expect(claimed).not.toBeNull();
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
  await expireLeasesOf({ db: t.db, workerId: 'dead-worker' });
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  expect(await workOffJobs(t.db, runId)).toBe(1);
  expect(await statusOf(runId)).toBe('SUCCEEDED');
});

it('a run held by its limits beside a free slot whose hand-off job was lost is sent one', async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'one-slot',
    document: {
      settings: { maxConcurrentRuns: 1 },
      steps: [{ id: 'hear', type: 'event.wait', config: { event: 'never.sent' } }],
    },
  });
  const first = await start('one-slot');
  expect(await workOffJobs(t.db, first)).toBe(1);
  expect(await statusOf(first)).toBe('WAITING');
  const held = await start('one-slot');
  expect(await workOffJobs(t.db, held)).toBe(1);
  expect(await statusOf(held)).toBe('QUEUED');
  await cancelRun({ db: t.db, ctx: operator, input: { id: first } });
  // The freed slot's job went to the held run and was lost with a worker that took it.
  await setJobs(held, 'failed');
  await ageRuns([held], '6 seconds');
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  expect(await workOffJobs(t.db, held)).toBe(1);
  expect(await statusOf(held)).toBe('WAITING');
});

it('the reaper does not wait for a run row another transaction holds (a worker frozen mid-commit): it skips that run and sends the others', async () => {
  const [locked, free] = [await start(), await start()];
  for (const runId of [locked, free]) await setJobs(runId, 'failed');
  await ageRuns([locked, free], '3 minutes');
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let isLocked!: () => void;
  const holding = new Promise<void>((resolve) => (isLocked = resolve));
  const holder = t.db.transaction().execute(async (tx) => {
    await sql`SELECT 1 FROM runs WHERE id = ${locked} FOR UPDATE`.execute(tx);
    isLocked();
    await released;
  });
  await holding;
  // It used to touch the runs it sent with an UPDATE that waited here for the holder.
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  expect(await jobsOf(free)).toEqual(['failed', 'created']);
  expect(await jobsOf(locked)).toEqual(['failed']);
  release();
  await holder;
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  expect(await jobsOf(locked)).toEqual(['failed', 'created']);
});

it("the look for a run's live job is served by our index on pg-boss's table, not a read of the whole queue", async () => {
  const jobTable = await advanceJobTable();
  const plan = await t.db.transaction().execute(async (tx) => {
    // The test queue is small enough for a sequential scan to be cheapest: forbid it, so the
    // plan shows whether the index's predicate matches the look's clauses at all.
    await sql`SET LOCAL enable_seqscan = off`.execute(tx);
    const explained = await sql<{ 'QUERY PLAN': unknown }>`
      EXPLAIN (FORMAT JSON) SELECT r.id FROM runs r
       WHERE r.status IN ('QUEUED', 'RUNNING') AND NOT ${hasLiveAdvanceJob({ jobTable, queue: ADVANCE_QUEUE, runAlias: 'r' })}`.execute(
      tx,
    );
    return JSON.stringify(explained.rows[0]?.['QUERY PLAN']);
  });
  expect(plan).toContain(ADVANCE_JOB_INDEX);
});
