import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { pauseRun } from '@/server/runs/pause-run';
import { resumeRun } from '@/server/runs/resume-run';
import { ADVANCE_JOB_ACTIVE_INDEX, ADVANCE_JOB_INDEX } from '@/server/runtime/queue/advance-job-index';
import { ADVANCE_QUEUE, advanceJobTable, closeQueue } from '@/server/runtime/queue/run-queue';
import { staleFetchedJobRuns } from '@/server/runtime/run-store/stale-fetched-job-runs';
import { reapStalledRuns } from '@/server/runtime/run-store/reap-stalled-runs';
import { claimRun } from '@/server/runtime/run-store/claim-run';
import { startRun } from '@/server/runtime/start-run';
import type { TTestDatabase } from '@/test/database';
import { publishWorkflow } from '@/test/runtime';
import {
  WORKER_READY_TIMEOUT_MS,
  killAllWorkers,
  killWorker,
  startWorker,
  until,
  workerOutputs,
  type TWorkerProcess,
} from '@/test/faults/fault-harness';
import { workOffJobs } from '@/test/faults/work-off-jobs';
import { endLeftoverRuns, openRuntimeTenant } from '@/test/faults/runtime-tenant';

/**
 * SPEC §7.1 for a run whose only job was fetched by a worker that died before it claimed the
 * run: pg-boss leaves that job active for 15 minutes, and the reaper counted an active job as a
 * job coming for 30 s and reached such a run only with its 2-minute look for lost jobs. Now a
 * fetched job is live for 5 s, or while a worker with a fresh heartbeat names it in
 * `workers.fetched_jobs` (a job waiting in it for a free slot, however long), and the reaper
 * sends the others' runs a job at its next pass. The in-process tests age the rows; the last
 * one SIGKILLs a real worker held at the fault point between its fetch and its claim.
 */
let t: TTestDatabase;
let editor: TAuthContext;
let operator: TAuthContext;
const workers: TWorkerProcess[] = [];
beforeAll(async () => {
  ({ t, editor, operator } = await openRuntimeTenant('stale_fetched_jobs'));
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'one-step',
    document: { steps: [{ id: 'a', type: 'transform.assign', config: { assign: { 'vars.a': 1 } } }] },
  });
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'waits',
    document: { steps: [{ id: 'hear', type: 'event.wait', config: { event: 'never.sent' } }] },
  });
});
afterEach(async () => {
  if (workers.some((w) => w.child.exitCode === null)) console.log(workerOutputs(workers));
  await killAllWorkers();
  workers.length = 0;
  await endLeftoverRuns(t.db);
  await sql`DELETE FROM workers`.execute(t.db);
});
afterAll(async () => {
  await closeQueue();
  await t.close();
});

const start = async (key = 'one-step') =>
  (await startRun({ tenantId: editor.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } })).runId;

/** Every advance job of the run not yet completed, oldest first. */
const openJobsOf = async (runId: string) =>
  (
    await sql<{ state: string }>`
      SELECT state FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND state < 'completed' AND data->>'runId' = ${runId} ORDER BY created_on`.execute(
      t.db,
    )
  ).rows.map((job) => job.state);

/** pg-boss's fetch took the run's job `ago` (a worker now holds it); its id. */
async function fetchedAgo(runId: string, ago: string): Promise<string> {
  const rows = await sql<{ id: string }>`
    UPDATE pgboss.job SET state = 'active', started_on = now() - ${ago}::interval
     WHERE name = ${ADVANCE_QUEUE} AND state = 'created' AND data->>'runId' = ${runId} RETURNING id`.execute(t.db);
  expect(rows.rows).toHaveLength(1);
  return rows.rows[0]!.id;
}

/** A worker row naming `jobIds` as fetched and held, its last beat `ago`. */
const workerNaming = (id: string, jobIds: string[], ago: string) =>
  sql`INSERT INTO workers (id, hostname, pid, heartbeat_at, fetched_jobs)
      VALUES (${id}, 'test', 1, now() - ${ago}::interval, ${jobIds}::uuid[])`.execute(t.db);

const statusOf = async (runId: string) =>
  (await t.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow()).status;

it('a QUEUED run whose only job was fetched 10 s ago by a worker that names it nowhere is sent a job at the next pass, and finishes', async () => {
  const runId = await start();
  await fetchedAgo(runId, '10 seconds');
  // The run was written seconds ago: only the 2-minute look for lost jobs would have reached it.
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  expect(await openJobsOf(runId)).toEqual(['active', 'created']);
  // Sent: its new job is coming, so the next pass sends nothing.
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
  expect(await workOffJobs(t.db, runId)).toBe(1);
  expect(await statusOf(runId)).toBe('SUCCEEDED');
});

it('a RUNNING run nobody holds (resumed) whose only job died with the worker that fetched it is sent one', async () => {
  const runId = await start('waits');
  await workOffJobs(t.db, runId);
  await pauseRun({ db: t.db, ctx: operator, input: { id: runId } });
  await resumeRun({ db: t.db, ctx: operator, input: { id: runId } });
  expect(await statusOf(runId)).toBe('RUNNING');
  await fetchedAgo(runId, '10 seconds');
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  await workOffJobs(t.db, runId);
  expect(await statusOf(runId)).toBe('WAITING');
});

it('a job fetched 1 s ago still counts (its worker is claiming), and so does one a live worker names, however old: a backlog waiting for slots gets no second jobs', async () => {
  const justFetched = await start();
  await fetchedAgo(justFetched, '1 second');
  const waitingForSlot = await start();
  const job = await fetchedAgo(waitingForSlot, '3 minutes');
  await workerNaming('live-worker', [job], '2 seconds');
  // Untouched for 3 minutes behind the backlog: the 2-minute look counted an active job for 30 s only.
  await sql`UPDATE runs SET updated_at = now() - interval '3 minutes' WHERE id IN (${justFetched}, ${waitingForSlot})`.execute(
    t.db,
  );
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
  expect(await openJobsOf(justFetched)).toEqual(['active']);
  expect(await openJobsOf(waitingForSlot)).toEqual(['active']);
});

it('a job named by a worker whose heartbeat stopped (SIGKILLed after it said so) no longer counts', async () => {
  const runId = await start();
  const job = await fetchedAgo(runId, '30 seconds');
  await workerNaming('dead-worker', [job], '20 seconds');
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  expect(await openJobsOf(runId)).toEqual(['active', 'created']);
});

it('a run a live worker claimed is left to it, whatever became of the job that brought it', async () => {
  const runId = await start();
  await fetchedAgo(runId, '10 seconds');
  expect(await claimRun({ db: t.db, runId, workerId: 'holder' })).not.toBeNull();
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
});

it(
  'a real worker SIGKILLed between its fetch and its claim: another worker takes the run within seconds, not minutes',
  async () => {
    // Started before any worker listens, so no notice names the job: the held worker fetches it.
    const runId = await start();
    const dying = await startWorker({ url: t.url, env: { PIPEWRIGHT_FAULT_HOLD: 'worker.afterFetch' } });
    workers.push(dying);
    await until('the worker to fetch the job and stop before claiming', () =>
      dying.output().includes(`fault point worker.afterFetch held (run ${runId})`),
    );
    expect(await openJobsOf(runId)).toEqual(['active']);
    await killWorker(dying);
    const killedAt = Date.now();
    const taker = await startWorker({ url: t.url });
    workers.push(taker);
    const readyAt = Date.now();
    // Before: the active job counted as coming for 30 s, and only the 2-minute look sent the
    // run another; this wait (60 s) would have run out.
    await until('another worker to take the run and finish it', async () => (await statusOf(runId)) === 'SUCCEEDED', {
      timeoutMs: 60_000,
    });
    const doneAt = Date.now();
    console.log(
      `stale fetched job: run finished ${doneAt - readyAt} ms after the second worker was ready (${doneAt - killedAt} ms after the kill, its start included)`,
    );
    const lease = await t.db.selectFrom('runs').select('lease_owner').where('id', '=', runId).executeTakeFirstOrThrow();
    expect(lease.lease_owner).toBeNull();
  },
  WORKER_READY_TIMEOUT_MS * 2 + 60_000,
);

it("the look starts from the fetched jobs by our index on pg-boss's table, not from the runs or the whole queue", async () => {
  const jobTable = await advanceJobTable();
  // A backlog: 5,000 jobs waiting to be taken, two fetched.
  await sql`INSERT INTO ${sql.raw(jobTable)} (name, data)
            SELECT ${ADVANCE_QUEUE}, jsonb_build_object('runId', gen_random_uuid()) FROM generate_series(1, 5000)`.execute(
    t.db,
  );
  await fetchedAgo(await start(), '10 seconds');
  await fetchedAgo(await start(), '1 second');
  await sql`ANALYZE ${sql.raw(jobTable)}`.execute(t.db);
  const look = staleFetchedJobRuns({ jobTable, queue: ADVANCE_QUEUE });
  const plan = (await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${look}`.execute(t.db)).rows
    .map((row) => row['QUERY PLAN'])
    .join('\n');
  expect(plan).toContain(`Index Scan using ${ADVANCE_JOB_ACTIVE_INDEX}`);
  // The run's other jobs by the run's id (ADVANCE_JOB_INDEX), not a read of the 5,000.
  expect(plan).toContain(`Index Scan using ${ADVANCE_JOB_INDEX}`);
  expect(plan).not.toMatch(/Seq Scan on (job|runs)/);
});
