import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { cancelRun } from '@/server/runs/cancel-run';
import { retryRun } from '@/server/runs/retry-run';
import { ADVANCE_QUEUE } from '@/server/runtime/queue/run-queue';
import { RUN_TIMEOUT_PATH } from '@/server/runtime/run-store/end-run-effects';
import { reapStalledRuns } from '@/server/runtime/run-store/reap-stalled-runs';
import { startRun } from '@/server/runtime/start-run';
import type { TTestDatabase } from '@/test/database';
import { publishWorkflow } from '@/test/runtime';
import { workOffJobs } from '@/test/faults/work-off-jobs';
import { closeRuntimeTenant, endLeftoverRuns, openRuntimeTenant, passRunDeadline } from '@/test/faults/runtime-tenant';

/**
 * SPEC §7.1 and §7.5 for runs held QUEUED by their workflow's limits (the reaper's held-run
 * look, heldRunsToSend; the timeout of a run retried under limits). The interleavings are
 * forced: a hand-off job "dies with its worker" by being marked failed or left active, age is
 * moved back on the rows, and the reaper pass is called directly. No test sleeps.
 */
let t: TTestDatabase;
let editor: TAuthContext;
let operator: TAuthContext;
beforeAll(async () => ({ t, editor, operator } = await openRuntimeTenant('held_runs_progress')));
afterEach(() => endLeftoverRuns(t.db));
afterAll(() => closeRuntimeTenant(t));

const start = async (key: string) =>
  (await startRun({ tenantId: editor.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } })).runId;

/** A workflow whose runs wait for an event nobody sends, so each holds its slot. */
const publishWaiting = (key: string, settings: Record<string, number>) =>
  publishWorkflow({
    db: t.db,
    ctx: editor,
    key,
    document: { settings, steps: [{ id: 'hear', type: 'event.wait', config: { event: 'never.sent' } }] },
  });

/** The states of every advance job sent for the run, oldest first. */
const jobsOf = async (runId: string) =>
  (
    await sql<{ state: string }>`
      SELECT state FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId} ORDER BY created_on`.execute(
      t.db,
    )
  ).rows.map((job) => job.state);

/** The runs (of `among`) that have a job waiting to be taken. */
const sentTo = async (among: string[]) =>
  (
    await sql<{ id: string }>`
      SELECT DISTINCT data->>'runId' AS id FROM pgboss.job
       WHERE name = ${ADVANCE_QUEUE} AND state = 'created' AND data->>'runId' = ANY(${among})`.execute(t.db)
  ).rows
    .map((row) => among.indexOf(row.id))
    .sort((a, b) => a - b);

const ageRuns = (runIds: string[], interval: string) =>
  sql`UPDATE runs SET updated_at = now() - ${interval}::interval WHERE id = ANY(${runIds})`.execute(t.db);

/** The run's jobs not yet completed are lost: taken by a worker that died before it claimed the run. */
const loseJobs = (runIds: string[]) =>
  sql`UPDATE pgboss.job SET state = 'failed' WHERE name = ${ADVANCE_QUEUE} AND state < 'completed' AND data->>'runId' = ANY(${runIds})`.execute(
    t.db,
  );

const statusOf = async (runId: string) =>
  (await t.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow()).status;
const statusesOf = (runIds: string[]) => Promise.all(runIds.map(statusOf));

/** Runs `count` runs of `key` through their first pass; each ends `expected`. */
async function startAndWork(key: string, count: number, expected: 'WAITING' | 'QUEUED'): Promise<string[]> {
  const runIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const runId = await start(key);
    expect(await workOffJobs(t.db, runId)).toBe(1);
    expect(await statusOf(runId)).toBe(expected);
    runIds.push(runId);
  }
  return runIds;
}

it('three slots freed at once while their hand-off jobs died with a worker: one pass sends the three oldest held runs, and no more', async () => {
  await publishWaiting('four-slots', { maxConcurrentRuns: 4 });
  const running = await startAndWork('four-slots', 4, 'WAITING');
  const held = await startAndWork('four-slots', 6, 'QUEUED');
  for (const runId of running.slice(0, 3)) await cancelRun({ db: t.db, ctx: operator, input: { id: runId } });
  // Each finish handed its slot on with a job to the oldest held run; all three died.
  expect(await sentTo(held)).toEqual([0]);
  await loseJobs(held);
  await ageRuns(held, '6 seconds');
  // The look used to send the oldest held run of the workflow only: one slot in three refilled per pass.
  expect(await reapStalledRuns({ db: t.db })).toBe(3);
  expect(await sentTo(held)).toEqual([0, 1, 2]);
  // Sent and touched: the next pass sends nothing again.
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
  for (const runId of held.slice(0, 3)) await workOffJobs(t.db, runId);
  expect(await statusesOf(held)).toEqual(['WAITING', 'WAITING', 'WAITING', 'QUEUED', 'QUEUED', 'QUEUED']);
  // Every slot taken: the held runs left wait, however long they have been held.
  await loseJobs(held);
  await ageRuns(held, '1 minute');
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
});

it('a free slot whose hand-off job is on its way is not sent a second run, and a job taken by a worker that died is sent again in seconds', async () => {
  await publishWaiting('two-slots', { maxConcurrentRuns: 2 });
  const running = await startAndWork('two-slots', 2, 'WAITING');
  const held = await startAndWork('two-slots', 3, 'QUEUED');
  await cancelRun({ db: t.db, ctx: operator, input: { id: running[0]! } });
  await cancelRun({ db: t.db, ctx: operator, input: { id: running[1]! } });
  // Both hand-off jobs went to the oldest held run; one of them is still coming.
  expect(await jobsOf(held[0]!)).toEqual(['completed', 'created', 'created']);
  await sql`UPDATE pgboss.job SET state = 'failed' WHERE id = (
      SELECT id FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND state = 'created' AND data->>'runId' = ${held[0]!} LIMIT 1)`.execute(
    t.db,
  );
  await ageRuns(held, '6 seconds');
  // Two slots: the first is the coming job's, the second goes to the next held run. The look
  // used to send the oldest held run again (a second job for one slot) and nobody the other.
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  expect(await sentTo(held)).toEqual([0, 1]);
  expect(await jobsOf(held[1]!)).toEqual(['completed', 'created']);
  // A worker took the first run's job a moment ago: it is about to claim the run.
  await sql`UPDATE pgboss.job SET state = 'active', started_on = now() - interval '1 second'
             WHERE name = ${ADVANCE_QUEUE} AND state = 'created' AND data->>'runId' = ${held[0]!}`.execute(t.db);
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
  // 3 s later it still has not: the worker died with the job (pg-boss leaves it active for 15 minutes).
  await sql`UPDATE pgboss.job SET started_on = now() - interval '3 seconds'
             WHERE name = ${ADVANCE_QUEUE} AND state = 'active' AND data->>'runId' = ${held[0]!}`.execute(t.db);
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  expect(await jobsOf(held[0]!)).toEqual(['completed', 'failed', 'active', 'created']);
  await workOffJobs(t.db, held[0]!);
  await workOffJobs(t.db, held[1]!);
  expect(await statusesOf(held)).toEqual(['WAITING', 'WAITING', 'QUEUED']);
});

it('a run held for rate is not sent again before its window has room, and is once it has and its retry job was lost', async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'one-a-minute',
    document: { settings: { runsPerMinute: 1 }, steps: [] },
  });
  const first = await start('one-a-minute');
  await workOffJobs(t.db, first);
  expect(await statusOf(first)).toBe('SUCCEEDED');
  const held = await start('one-a-minute');
  await workOffJobs(t.db, held);
  expect(await statusOf(held)).toBe('QUEUED');
  // Admission sent it a job due when the window has room (retryAt).
  expect(await jobsOf(held)).toEqual(['completed', 'created']);
  await ageRuns([held], '10 seconds');
  // The look used to send it now: a job that only met admission, which held it again.
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
  // Its retry job is lost while the window is still full: nothing is sent yet either.
  await loseJobs([held]);
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
  // The minute has passed: the window has room, and nothing else is coming for the run.
  await sql`UPDATE runs SET started_at = now() - interval '2 minutes' WHERE id = ${first}`.execute(t.db);
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  await workOffJobs(t.db, held);
  expect(await statusOf(held)).toBe('SUCCEEDED');
});

/**
 * A run retried under limits is QUEUED with its new `settings.timeoutMs` window open (retryRun
 * writes the wait and its timer job), and waits there for a slot: the one way a held QUEUED run
 * has an open timeout wait. Its deadline passing is aged into the rows.
 */
async function heldRetriedRun(key: string): Promise<{ retried: string; holder: string }> {
  await publishWaiting(key, { maxConcurrentRuns: 1, timeoutMs: 3_600_000 });
  const retried = await start(key);
  await workOffJobs(t.db, retried);
  expect(await statusOf(retried)).toBe('WAITING');
  await passDeadline(retried);
  await workOffJobs(t.db, retried);
  expect(
    await t.db.selectFrom('runs').select(['status', 'error']).where('id', '=', retried).executeTakeFirst(),
  ).toEqual({ status: 'FAILED', error: expect.objectContaining({ code: 'TIMEOUT' }) });
  const holder = await start(key);
  await workOffJobs(t.db, holder);
  expect(await statusOf(holder)).toBe('WAITING');
  await retryRun({ db: t.db, ctx: operator, input: { id: retried } });
  expect(await statusOf(retried)).toBe('QUEUED');
  // Its first job meets admission: no slot, held.
  await workOffJobs(t.db, retried);
  expect(await statusOf(retried)).toBe('QUEUED');
  expect(await openWaitsOf(retried)).toEqual([RUN_TIMEOUT_PATH]);
  return { retried, holder };
}

const passDeadline = (runId: string) => passRunDeadline(t.db, runId, 3_600_000);

const openWaitsOf = async (runId: string) =>
  (
    await t.db
      .selectFrom('run_waits')
      .select('step_path')
      .where('run_id', '=', runId)
      .where('status', '=', 'open')
      .execute()
  ).map((wait) => wait.step_path);

const eventsOf = async (runId: string) =>
  (
    await t.db.selectFrom('run_events').select(['seq', 'type']).where('run_id', '=', runId).orderBy('seq').execute()
  ).map((event) => `${event.seq} ${event.type}`);

it("a held run retried under limits fails with TIMEOUT when its deadline's timer job comes, with no slot free", async () => {
  const { retried, holder } = await heldRetriedRun('held-deadline');
  await passDeadline(retried);
  // The timer job used to meet admission like any other, which held the run again, past its deadline.
  expect(await workOffJobs(t.db, retried)).toBe(1);
  const run = await t.db.selectFrom('runs').select(['status', 'error']).where('id', '=', retried).executeTakeFirst();
  expect(run).toEqual({ status: 'FAILED', error: expect.objectContaining({ code: 'TIMEOUT' }) });
  expect(await openWaitsOf(retried)).toEqual([]);
  expect((await eventsOf(retried)).slice(-2)).toEqual([
    expect.stringMatching(/ run\.resumed$/),
    expect.stringMatching(/ run\.failed$/),
  ]);
  const seqs = (await eventsOf(retried)).map((event) => Number(event.split(' ')[0]));
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  // It never took the slot: the run holding it still does.
  expect(await statusOf(holder)).toBe('WAITING');
});

it('a held run whose timeout came due while its timer job died with a worker is sent a job by the reaper and fails with TIMEOUT', async () => {
  const { retried, holder } = await heldRetriedRun('held-deadline-lost');
  await passDeadline(retried);
  await loseJobs([retried]);
  await ageRuns([retried], '10 seconds');
  // No slot is free, so the held-run look has nothing for it; the due-wait look now covers a
  // QUEUED run's timeout (it covered WAITING runs only).
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  await workOffJobs(t.db, retried);
  expect(
    await t.db.selectFrom('runs').select(['status', 'error']).where('id', '=', retried).executeTakeFirst(),
  ).toEqual({ status: 'FAILED', error: expect.objectContaining({ code: 'TIMEOUT' }) });
  expect(await statusOf(holder)).toBe('WAITING');
});

it('a held run whose only job is its timeout timer, due later, is sent one when a slot frees and its hand-off job was lost', async () => {
  const { retried, holder } = await heldRetriedRun('held-timer-only');
  await cancelRun({ db: t.db, ctx: operator, input: { id: holder } });
  // The hand-off job to the retried run died with a worker; its timer job is due in an hour.
  await sql`UPDATE pgboss.job SET state = 'failed'
             WHERE name = ${ADVANCE_QUEUE} AND state = 'created' AND start_after <= now() AND data->>'runId' = ${retried}`.execute(
    t.db,
  );
  expect(await jobsOf(retried)).toContain('created');
  await ageRuns([retried], '10 seconds');
  // A job due later counted as one coming: the slot stood free until the deadline.
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  await workOffJobs(t.db, retried);
  expect(await statusOf(retried)).toBe('WAITING');
});

it('a RUNNING run nobody holds whose timeout came due with its jobs lost is sent one within seconds, not after 2 minutes', async () => {
  await publishWaiting('unlimited-deadline', { timeoutMs: 3_600_000 });
  const runId = await start('unlimited-deadline');
  await workOffJobs(t.db, runId);
  await passDeadline(runId);
  await workOffJobs(t.db, runId);
  expect(await statusOf(runId)).toBe('FAILED');
  // Retried without limits: RUNNING at once, with a job and a new window.
  await retryRun({ db: t.db, ctx: operator, input: { id: runId } });
  expect(await statusOf(runId)).toBe('RUNNING');
  await passDeadline(runId);
  await loseJobs([runId]);
  await ageRuns([runId], '10 seconds');
  // Only the 2-minute look for lost jobs covered it.
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  await workOffJobs(t.db, runId);
  expect(await t.db.selectFrom('runs').select(['status', 'error']).where('id', '=', runId).executeTakeFirst()).toEqual({
    status: 'FAILED',
    error: expect.objectContaining({ code: 'TIMEOUT' }),
  });
});
