import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { pauseRun } from '@/server/runs/pause-run';
import { retryRun } from '@/server/runs/retry-run';
import { ADVANCE_QUEUE, enqueueAdvance } from '@/server/runtime/queue/run-queue';
import { RUN_TIMEOUT_PATH } from '@/server/runtime/run-store/end-run-effects';
import { reapStalledRuns } from '@/server/runtime/run-store/reap-stalled-runs';
import { startRun } from '@/server/runtime/start-run';
import type { TTestDatabase } from '@/test/database';
import { publishWorkflow } from '@/test/runtime';
import { workOffJobs } from '@/test/faults/work-off-jobs';
import { WORKER_READY_TIMEOUT_MS, killWorker, startWorker, until } from '@/test/faults/fault-harness';
import { closeRuntimeTenant, endLeftoverRuns, openRuntimeTenant, passRunDeadline } from '@/test/faults/runtime-tenant';

/**
 * SPEC §7.1 for a PAUSED run: its `settings.timeoutMs` deadline still applies. It ends FAILED
 * with TIMEOUT while paused, with a run timeout's end effects (open tasks and waits closed,
 * children asked to cancel, the freed slot handed on), instead of only once it is resumed (the
 * claim used to take a PAUSED run only to cancel it, and the reaper's due-wait look skipped
 * it). The deadline's passing is aged into the rows and the timer job is taken as pg-boss's
 * fetch would take it; the reaper pass is called directly. No test sleeps.
 */
let t: TTestDatabase;
let editor: TAuthContext;
let operator: TAuthContext;
beforeAll(async () => ({ t, editor, operator } = await openRuntimeTenant('paused_run_deadline')));
afterEach(() => endLeftoverRuns(t.db));
afterAll(() => closeRuntimeTenant(t));

const HOUR = 3_600_000;
const start = async (key: string) =>
  (await startRun({ tenantId: editor.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } })).runId;
const pause = (runId: string) => pauseRun({ db: t.db, ctx: operator, input: { id: runId } });

const runOf = (runId: string) =>
  t.db.selectFrom('runs').select(['status', 'error']).where('id', '=', runId).executeTakeFirstOrThrow();
const statusOf = async (runId: string) => (await runOf(runId)).status;
const eventsOf = async (runId: string) =>
  (await t.db.selectFrom('run_events').select('type').where('run_id', '=', runId).orderBy('seq').execute()).map(
    (event) => event.type,
  );
const openWaitsOf = async (runId: string) =>
  (
    await t.db
      .selectFrom('run_waits')
      .select('step_path')
      .where('run_id', '=', runId)
      .where('status', '=', 'open')
      .orderBy('step_path')
      .execute()
  ).map((wait) => wait.step_path);
const tasksOf = async (runId: string) =>
  (await t.db.selectFrom('tasks').select('status').where('run_id', '=', runId).execute()).map((task) => task.status);
const childOf = async (runId: string) =>
  (await t.db.selectFrom('runs').select('id').where('parent_run_id', '=', runId).executeTakeFirstOrThrow()).id;
/** The runs (of `among`) that have a job waiting to be taken now. */
const sentTo = async (among: string[]) =>
  (
    await sql<{ id: string }>`
      SELECT DISTINCT data->>'runId' AS id FROM pgboss.job
       WHERE name = ${ADVANCE_QUEUE} AND state = 'created' AND start_after <= now() AND data->>'runId' = ANY(${among})`.execute(
      t.db,
    )
  ).rows.map((row) => among.indexOf(row.id));

const cancelJobsOf = async (runId: string) =>
  (
    await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pgboss.job
       WHERE name = ${ADVANCE_QUEUE} AND state = 'created' AND data->>'runId' = ${runId} AND (data->>'cancel')::boolean`.execute(
      t.db,
    )
  ).rows[0]?.n;

const passDeadline = (runId: string) => passRunDeadline(t.db, runId, HOUR);

const task = (id: string) => ({
  id,
  type: 'human.task',
  config: { title: id, form: { type: 'object' }, outcomes: ['approve', 'reject'], assignee: { role: 'operator' } },
});

/** One slot; each run opens a task and starts a child that waits for an event nobody sends. */
async function publishParentAndChild(key: string): Promise<void> {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: `${key}-child`,
    document: { steps: [{ id: 'hear', type: 'event.wait', config: { event: 'never.sent' } }] },
  });
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key,
    document: {
      settings: { maxConcurrentRuns: 1, timeoutMs: HOUR },
      steps: [
        {
          id: 'both',
          type: 'control.parallel',
          config: {
            branches: [
              { id: 'ask', steps: [task('approval')] },
              {
                id: 'call',
                steps: [{ id: 'child', type: 'control.callWorkflow', config: { workflow: `${key}-child` } }],
              },
            ],
          },
        },
      ],
    },
  });
}

it('a paused run whose deadline comes fails with TIMEOUT while paused: its task, waits and child closed, its slot handed on', async () => {
  await publishParentAndChild('paused-deadline');
  const runId = await start('paused-deadline');
  expect(await workOffJobs(t.db, runId)).toBe(1);
  expect(await statusOf(runId)).toBe('WAITING');
  const child = await childOf(runId);
  await workOffJobs(t.db, child);
  expect(await statusOf(child)).toBe('WAITING');
  // A second run of the one-slot workflow is held QUEUED.
  const held = await start('paused-deadline');
  await workOffJobs(t.db, held);
  expect(await statusOf(held)).toBe('QUEUED');

  expect(await pause(runId)).toMatchObject({ status: 'PAUSED', requested: false });
  await passDeadline(runId);
  // The timer job used to find nothing to claim (a PAUSED run was runnable only for a cancel).
  expect(await workOffJobs(t.db, runId)).toBe(1);
  expect(await runOf(runId)).toEqual({
    status: 'FAILED',
    error: expect.objectContaining({ code: 'TIMEOUT', message: expect.stringContaining('settings.timeoutMs') }),
  });
  expect((await eventsOf(runId)).slice(-2)).toEqual(['run.paused', 'run.failed']);
  expect(await openWaitsOf(runId)).toEqual([]);
  expect(await tasksOf(runId)).toEqual(['canceled']);
  // The child is asked to cancel (a job that says so), and the freed slot goes to the held run.
  expect(await cancelJobsOf(child)).toBe(1);
  expect(await sentTo([held])).toEqual([0]);
  await workOffJobs(t.db, held);
  expect(await statusOf(held)).toBe('WAITING');
});

it("a paused run whose deadline's timer job died with a worker is sent one by the reaper within its 2 s look", async () => {
  await publishParentAndChild('paused-deadline-lost');
  const runId = await start('paused-deadline-lost');
  await workOffJobs(t.db, runId);
  await pause(runId);
  await passDeadline(runId);
  await sql`UPDATE pgboss.job SET state = 'failed' WHERE name = ${ADVANCE_QUEUE} AND state < 'completed' AND data->>'runId' = ${runId}`.execute(
    t.db,
  );
  await sql`UPDATE runs SET updated_at = now() - interval '10 seconds' WHERE id = ${runId}`.execute(t.db);
  // The due-wait look took QUEUED, RUNNING and WAITING runs only.
  expect(await reapStalledRuns({ db: t.db })).toBe(1);
  expect(await workOffJobs(t.db, runId)).toBe(1);
  expect(await runOf(runId)).toEqual({ status: 'FAILED', error: expect.objectContaining({ code: 'TIMEOUT' }) });
});

it('a run paused while held QUEUED (retried under limits) fails with TIMEOUT at its deadline without taking a slot', async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'paused-queued',
    document: {
      settings: { maxConcurrentRuns: 1, timeoutMs: HOUR },
      steps: [{ id: 'hear', type: 'event.wait', config: { event: 'never.sent' } }],
    },
  });
  const retried = await start('paused-queued');
  await workOffJobs(t.db, retried);
  await passDeadline(retried);
  await workOffJobs(t.db, retried);
  expect(await statusOf(retried)).toBe('FAILED');
  const holder = await start('paused-queued');
  await workOffJobs(t.db, holder);
  expect(await statusOf(holder)).toBe('WAITING');
  // Retried under limits: QUEUED with its new window open, held (the slot is taken).
  await retryRun({ db: t.db, ctx: operator, input: { id: retried } });
  await workOffJobs(t.db, retried);
  expect(await statusOf(retried)).toBe('QUEUED');
  expect(await pause(retried)).toMatchObject({ status: 'PAUSED' });
  await passDeadline(retried);
  expect(await workOffJobs(t.db, retried)).toBe(1);
  expect(await runOf(retried)).toEqual({ status: 'FAILED', error: expect.objectContaining({ code: 'TIMEOUT' }) });
  expect(await openWaitsOf(retried)).toEqual([]);
  expect(await statusOf(holder)).toBe('WAITING');
});

it('a paused run before its deadline stays PAUSED: a stray job claims nothing and the reaper sends nothing', async () => {
  await publishParentAndChild('paused-not-due');
  const runId = await start('paused-not-due');
  await workOffJobs(t.db, runId);
  await pause(runId);
  const before = await eventsOf(runId);
  await enqueueAdvance({ db: t.db, runId });
  expect(await workOffJobs(t.db, runId)).toBe(1);
  expect(await statusOf(runId)).toBe('PAUSED');
  expect(await eventsOf(runId)).toEqual(before);
  await sql`UPDATE runs SET updated_at = now() - interval '10 minutes' WHERE id = ${runId}`.execute(t.db);
  expect(await reapStalledRuns({ db: t.db })).toBe(0);
  expect(await openWaitsOf(runId)).toEqual([
    RUN_TIMEOUT_PATH,
    'steps[0].config.branches[0].steps[0]',
    'steps[0].config.branches[1].steps[0]',
  ]);
});

it(
  'with a real worker, a run paused while WAITING fails with TIMEOUT at its deadline, nobody resuming it',
  async () => {
    await publishWorkflow({
      db: t.db,
      ctx: editor,
      key: 'paused-real',
      document: {
        settings: { timeoutMs: 6_000 },
        steps: [{ id: 'hear', type: 'event.wait', config: { event: 'never.sent' } }],
      },
    });
    const worker = await startWorker({ url: t.url });
    try {
      const runId = await start('paused-real');
      await until('the run to wait', async () => (await statusOf(runId)) === 'WAITING');
      await pause(runId);
      expect(await statusOf(runId)).toBe('PAUSED');
      // Before: PAUSED for good (the timer job claimed nothing), and this wait ran out.
      await until('the paused run to time out', async () => (await statusOf(runId)) === 'FAILED', {
        timeoutMs: 60_000,
      });
      const run = await t.db
        .selectFrom('runs')
        .select(['error', 'started_at', 'completed_at'])
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      expect(run.error).toMatchObject({ code: 'TIMEOUT' });
      expect((await eventsOf(runId)).slice(-2)).toEqual(['run.paused', 'run.failed']);
      console.log(
        `paused run timed out ${run.completed_at!.getTime() - run.started_at!.getTime() - 6_000} ms after its deadline`,
      );
    } finally {
      await killWorker(worker);
    }
  },
  WORKER_READY_TIMEOUT_MS + 90_000,
);
