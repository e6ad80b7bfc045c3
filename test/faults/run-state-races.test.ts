import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { deliverEvent } from '@/server/events/deliver-event';
import { cancelRun } from '@/server/runs/cancel-run';
import { migrateRun } from '@/server/runs/migrate-run';
import { pauseRun } from '@/server/runs/pause-run';
import { retryRun } from '@/server/runs/retry-run';
import { resumeRun } from '@/server/runs/resume-run';
import { advanceRun } from '@/server/runtime/advance-run';
import { clearFaultPoints, onFaultPoint } from '@/server/runtime/fault-points';
import { LeaseKeeper } from '@/server/runtime/run-store/lease-keeper';
import { ADVANCE_QUEUE } from '@/server/runtime/queue/run-queue';
import { startRun } from '@/server/runtime/start-run';
import { reapStalledRuns } from '@/server/runtime/run-store/reap-stalled-runs';
import { requestCancelFromParent } from '@/server/runtime/run-store/run-requests';
import { completeTask } from '@/server/tasks/complete-task';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import { publishVersion } from '@/server/workflows/publish-version';
import { saveDraft } from '@/server/workflows/save-draft';
import { checkRunInvariants, expireLeasesOf, startReceiver, until, type TReceiver } from '@/test/faults/fault-harness';

/**
 * SPEC §7 races, each forced in one process: a worker is an `advanceRun` call with its own
 * lease keeper, and the interleaving is made with the runtime's fault points or by acting
 * while a call is in flight at a loopback receiver. Each of these failed before its fix.
 */
let t: TTestDatabase;
let receiver: TReceiver | null = null;
let editor: TAuthContext;
let operator: TAuthContext;
// One database for the file: the process's pg-boss sender is bound to the first one it meets.
beforeAll(async () => {
  t = await createTestDatabase('run_state_races');
  process.env.DATABASE_URL = t.url;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1'; // the receiver is on loopback
  editor = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  operator = (await addMemberTo({ db: t.db, ctx: editor, role: 'operator' })).ctx;
});
afterEach(async () => {
  clearFaultPoints();
  await receiver?.close();
  receiver = null;
});
afterAll(async () => {
  await t.close();
});

/** One in-process worker: its id, its lease keeper, and a pass over a run. */
function worker(name: string) {
  const workerId = `${name}-${randomUUID().slice(0, 8)}`;
  const leases = new LeaseKeeper(t.db, workerId, () => {});
  return { workerId, advance: (runId: string) => advanceRun({ db: t.db, runId, workerId, leases }) };
}

const runRow = (runId: string) => t.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
const eventTypes = async (runId: string) =>
  (await t.db.selectFrom('run_events').select('type').where('run_id', '=', runId).orderBy('seq').execute()).map(
    (e) => e.type,
  );
const start = (key: string, input: unknown = {}) =>
  startRun({ tenantId: editor.tenantId, workflowKey: key, input, trigger: { type: 'api' } });
const slowCall = (id: string) => ({
  id,
  type: 'action.call',
  config: {
    action: 'http.request',
    version: 1,
    input: { method: 'POST', url: `${receiver!.url}/${id}`, timeoutMs: 60_000 },
  },
});
const task = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'human.task',
  config: {
    title: id,
    form: { type: 'object' },
    outcomes: ['approve', 'reject'],
    assignee: { role: 'operator' },
    saveAs: `vars.${id}`,
    ...extra,
  },
});
const openTask = async (runId: string) =>
  t.db
    .selectFrom('tasks')
    .select(['id', 'status'])
    .where('run_id', '=', runId)
    .where('status', '=', 'open')
    .executeTakeFirst();

it('defect 1: a timer that comes due while another branch holds the run in a call still wakes it', async () => {
  receiver = await startReceiver({ holdMs: 1_500 });
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'delay-beside-call',
    document: {
      steps: [
        {
          id: 'both',
          type: 'control.parallel',
          config: {
            branches: [
              { id: 'a', steps: [{ id: 'nap', type: 'time.delay', config: { durationMs: 200 } }] },
              { id: 'b', steps: [slowCall('call')] },
            ],
          },
        },
      ],
    },
  });
  const { runId } = await start('delay-beside-call');
  const holder = worker('holder');
  const pass = holder.advance(runId);
  await until('the call to be in flight', () => receiver!.deliveries.length === 1, { everyMs: 10 });
  await until(
    'the delay to be due',
    async () =>
      Boolean(
        await t.db
          .selectFrom('run_waits')
          .select('id')
          .where('run_id', '=', runId)
          .where('resume_at', '<=', sql<Date>`now()`)
          .where('status', '=', 'open')
          .executeTakeFirst(),
      ),
    { everyMs: 20 },
  );
  // The timer's job arrives while the run is held: its claim finds the live lease and ends.
  await worker('timer-job').advance(runId);
  await pass;
  // Nothing else will send a job: the holder must have seen that the timer came due.
  expect((await runRow(runId)).status).toBe('SUCCEEDED');
  expect(
    await checkRunInvariants(
      t.db,
      [runId],
      ['steps[0]', 'steps[0].config.branches[0].steps[0]', 'steps[0].config.branches[1].steps[0]'],
    ),
  ).toEqual({ badSteps: [], badSeqs: [] });
});

it('defect 2: cancel and pause of a run whose lease expired are never overwritten by the stale worker', async () => {
  receiver = await startReceiver({ holdMs: 800 });
  await publishWorkflow({ db: t.db, ctx: editor, key: 'stale-holder', document: { steps: [slowCall('first')] } });
  for (const operation of ['cancel', 'pause'] as const) {
    const { runId } = await start('stale-holder');
    const stale = worker('stale');
    const pass = stale.advance(runId);
    await until(
      'the call to be in flight',
      () => receiver!.deliveries.length > 0 && receiver!.deliveries.at(-1)!.respondedAt === null,
      { everyMs: 10 },
    );
    // The worker froze past its lease (SIGSTOP): the lease is expired, but nobody took the run over.
    await t.db
      .updateTable('runs')
      .set({ lease_expires_at: sql`now() - interval '1 second'` })
      .where('id', '=', runId)
      .execute();
    const result =
      operation === 'cancel'
        ? await cancelRun({ db: t.db, ctx: operator, input: { id: runId } })
        : await pauseRun({ db: t.db, ctx: operator, input: { id: runId } });
    expect(result).toMatchObject({ requested: false, status: operation === 'cancel' ? 'CANCELED' : 'PAUSED' });
    await pass; // the call returns and the stale worker tries to record it
    const row = await runRow(runId);
    expect(row.status).toBe(operation === 'cancel' ? 'CANCELED' : 'PAUSED');
    const types = await eventTypes(runId);
    expect(types.at(-1)).toBe(operation === 'cancel' ? 'run.canceled' : 'run.paused');
    expect(types).not.toContain('run.succeeded');
    receiver.deliveries.length = 0;
  }
});

it('defect 3: a task answered just before its timeout is processed wins over the timeout', async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'late-answer',
    document: { steps: [task('approve', { timeoutMs: 300 })], output: { $expr: 'vars.approve.outcome' } },
  });
  const { runId } = await start('late-answer');
  expect(await driveRun({ db: t.db, runId, maxPasses: 1 })).toBe('WAITING');
  const taskId = (await openTask(runId))!.id;
  await until(
    'the timeout to be due',
    async () =>
      Boolean(
        await t.db
          .selectFrom('run_waits')
          .select('id')
          .where('run_id', '=', runId)
          .where('resume_at', '<=', sql<Date>`now()`)
          .executeTakeFirst(),
      ),
    { everyMs: 20 },
  );
  // The worker has read the wait as open and due; the answer commits before it acts on that.
  onFaultPoint('wait.dueRead', async () => {
    await completeTask({ db: t.db, ctx: operator, input: { id: taskId, outcome: 'approve', data: {} } });
  });
  await worker('timeout-job').advance(runId);
  const row = await runRow(runId);
  expect(row.status).toBe('SUCCEEDED');
  expect(row.output).toBe('approve');
  expect(
    (await t.db.selectFrom('tasks').select('status').where('id', '=', taskId).executeTakeFirstOrThrow()).status,
  ).toBe('completed');
});

it('defect 4: an event delivered while the wait is being committed is matched (no lookbackMs)', async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'racing-event',
    document: {
      steps: [
        {
          id: 'hear',
          type: 'event.wait',
          config: { event: 'order.paid', correlationKey: { $expr: 'payload.order' }, saveAs: 'vars.paid' },
        },
      ],
      output: { $expr: 'vars.paid.amount' },
    },
  });
  const { runId } = await start('racing-event', { order: 'A-1' });
  let delivery: Promise<{ resumed: string[] }> | null = null;
  // The wait row is written but not committed; the event arrives now, on another connection.
  onFaultPoint('commit.beforeCommit', async () => {
    if (delivery) return;
    delivery = deliverEvent({
      db: t.db,
      ctx: editor,
      input: { event: 'order.paid', correlationKey: 'A-1', payload: { amount: 12 } },
    });
    // Long enough for an unserialized delivery to look for waits and commit without seeing ours.
    await Promise.race([delivery, new Promise((resolve) => setTimeout(resolve, 300))]);
  });
  await worker('waiter').advance(runId);
  const delivered = await delivery!;
  expect(delivered.resumed).toEqual([runId]);
  expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
  expect((await runRow(runId)).output).toBe(12);
});

it('defect 4: a wait committed while an event is being delivered finds that event (no lookbackMs)', async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'racing-wait',
    document: {
      steps: [{ id: 'hear', type: 'event.wait', config: { event: 'order.shipped', saveAs: 'vars.shipped' } }],
      output: { $expr: 'vars.shipped.by' },
    },
  });
  const { runId } = await start('racing-wait');
  const waiter = worker('waiter');
  let pass: Promise<void> | null = null;
  // The event is stored and found no wait, but is not committed yet; the run's wait commits now.
  onFaultPoint('event.beforeCommit', async () => {
    if (pass) return;
    pass = waiter.advance(runId);
    await Promise.race([pass, new Promise((resolve) => setTimeout(resolve, 500))]);
  });
  const delivered = await deliverEvent({
    db: t.db,
    ctx: editor,
    input: { event: 'order.shipped', payload: { by: 'truck' } },
  });
  await pass;
  // Either the delivery resumed the run, or the wait found the event: never neither.
  expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
  expect((await runRow(runId)).output).toBe('truck');
  const event = await t.db
    .selectFrom('events')
    .select('resumed')
    .where('id', '=', delivered.id)
    .executeTakeFirstOrThrow();
  expect(event.resumed).toEqual([runId]);
});

/** Advances every run that has a job queued, as workers would, until no job is left. */
async function workOffJobs(runIds: readonly string[]): Promise<void> {
  const w = worker('queue');
  for (let round = 0; round < 50; round++) {
    const jobs = await sql<{ id: string; run_id: string }>`
      DELETE FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND state = 'created' AND start_after <= now() AND data->>'runId' = ANY(${runIds as string[]})
      RETURNING id, data->>'runId' AS run_id`.execute(t.db);
    if (jobs.rows.length === 0) return;
    // In the order the runs were given (oldest first), as a queue would roughly take them.
    const order = (job: { run_id: string }) => runIds.indexOf(job.run_id);
    for (const job of [...jobs.rows].sort((a, b) => order(a) - order(b))) await w.advance(job.run_id);
  }
}

it('defect 6: when several runs finish at once, every free slot is filled from the held runs', async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'two-at-a-time',
    document: { settings: { maxConcurrentRuns: 2 }, steps: [task('approve')] },
  });
  const runIds: string[] = [];
  for (let i = 0; i < 6; i++) runIds.push((await start('two-at-a-time')).runId);
  await workOffJobs(runIds);
  const active = async () =>
    (
      await t.db
        .selectFrom('runs')
        .select('id')
        .where('id', 'in', runIds)
        .where('status', 'in', ['RUNNING', 'WAITING'])
        .execute()
    ).map((r) => r.id);
  const first = await active();
  expect(first).toHaveLength(2);
  // Both answered before either run goes on; then both finish, one after the other.
  for (const runId of first)
    await completeTask({
      db: t.db,
      ctx: operator,
      input: { id: (await openTask(runId))!.id, outcome: 'approve', data: {} },
    });
  for (const runId of first) await worker('finisher').advance(runId);
  await workOffJobs(runIds);
  expect(await active()).toHaveLength(2);
});

it('defect 6: retrying a failed run waits for a slot under maxConcurrentRuns', async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'one-slot',
    document: {
      settings: { maxConcurrentRuns: 1 },
      steps: [
        {
          id: 'maybe',
          type: 'control.if',
          config: {
            condition: { $expr: 'payload.fail' },
            then: [{ id: 'boom', type: 'control.fail', config: { code: 'NOPE', message: 'failing on purpose' } }],
            else: [task('approve')],
          },
        },
      ],
    },
  });
  const failing = (await start('one-slot', { fail: true })).runId;
  expect(await driveRun({ db: t.db, runId: failing })).toBe('FAILED');
  const holding = (await start('one-slot', { fail: false })).runId;
  expect(await driveRun({ db: t.db, runId: holding, maxPasses: 1 })).toBe('WAITING');
  await retryRun({ db: t.db, ctx: operator, input: { id: failing } });
  await workOffJobs([failing]);
  // The one slot is taken by the waiting run: the retried run is held until it frees.
  expect((await runRow(failing)).status).toBe('QUEUED');
  await completeTask({
    db: t.db,
    ctx: operator,
    input: { id: (await openTask(holding))!.id, outcome: 'approve', data: {} },
  });
  await workOffJobs([holding, failing]);
  expect((await runRow(holding)).status).toBe('SUCCEEDED');
  expect((await runRow(failing)).status).toBe('FAILED'); // it ran again (and failed again, as it must)
  expect(
    (
      await t.db
        .selectFrom('run_steps')
        .select('attempt')
        .where('run_id', '=', failing)
        .where('step_id', '=', 'boom')
        .execute()
    ).length,
  ).toBe(2);
});

it('defect 9: a worker dying right after admission leaves the run timeout in place', async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'limited-timeout',
    document: { settings: { maxConcurrentRuns: 5, timeoutMs: 1000 }, steps: [task('approve')] },
  });
  const { runId } = await start('limited-timeout');
  const remove = onFaultPoint('advance.afterAdmission', () => {
    throw new Error('simulated crash after admission');
  });
  await expect(worker('dies').advance(runId)).rejects.toThrow('simulated crash');
  remove();
  // The dead worker's lease runs out; another worker takes the run over.
  await t.db
    .updateTable('runs')
    .set({ lease_expires_at: sql`now() - interval '1 second'` })
    .where('id', '=', runId)
    .execute();
  expect(await driveRun({ db: t.db, runId })).toBe('FAILED');
  const row = await runRow(runId);
  expect(row.error).toMatchObject({ code: 'TIMEOUT' });
});

/** Starts `operation` on its own connection while the hook holds its locks, and gives it time to block on them. */
async function meanwhile<T>(operation: () => Promise<T>): Promise<{ running: Promise<T> }> {
  const running = operation();
  running.catch(() => undefined); // judged by the caller once the pass has finished
  await Promise.race([running, new Promise((resolve) => setTimeout(resolve, 400))]);
  // Wrapped: awaiting the promise itself would wait for the operation, which waits for us.
  return { running };
}

it("defect 13: an answer racing the run's end (which closes the task) waits its turn instead of deadlocking", async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'answer-vs-end',
    document: {
      steps: [
        {
          id: 'both',
          type: 'control.parallel',
          config: {
            branches: [
              { id: 'ask', steps: [task('approve')] },
              {
                id: 'doom',
                steps: [
                  { id: 'nap', type: 'time.delay', config: { durationMs: 50 } },
                  { id: 'boom', type: 'control.fail', config: { code: 'BOOM', message: 'the other branch failed' } },
                ],
              },
            ],
          },
        },
      ],
    },
  });
  const { runId } = await start('answer-vs-end');
  expect(await driveRun({ db: t.db, runId, maxPasses: 1 })).toBe('WAITING');
  const taskId = (await openTask(runId))!.id;
  let answer: { running: Promise<unknown> } | null = null;
  // The run's final commit holds its row and is about to close its waits and tasks; the answer comes now.
  onFaultPoint('commit.afterRunLocked', async (context) => {
    if (context.runId !== runId || answer) return;
    answer = await meanwhile(() =>
      completeTask({ db: t.db, ctx: operator, input: { id: taskId, outcome: 'approve', data: {} } }),
    );
  });
  expect(await driveRun({ db: t.db, runId })).toBe('FAILED');
  await expect(answer!.running).rejects.toMatchObject({ code: 'CONFLICT' }); // the task was canceled with the run, not a deadlock
  expect(
    (await t.db.selectFrom('tasks').select('status').where('id', '=', taskId).executeTakeFirstOrThrow()).status,
  ).toBe('canceled');
});

it('defect 13: a parent canceled while its child finishes: both end, no deadlock', async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'quick-child',
    document: {
      steps: [{ id: 'set', type: 'transform.assign', config: { assign: { 'vars.done': true } } }],
      output: { $expr: 'vars.done' },
    },
  });
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'waiting-parent',
    document: {
      steps: [
        { id: 'sub', type: 'control.callWorkflow', config: { workflow: 'quick-child', input: {}, saveAs: 'vars.sub' } },
      ],
    },
  });
  const parentId = (await start('waiting-parent')).runId;
  expect(await driveRun({ db: t.db, runId: parentId, maxPasses: 1 })).toBe('WAITING');
  const childId = (
    await t.db.selectFrom('runs').select('id').where('parent_run_id', '=', parentId).executeTakeFirstOrThrow()
  ).id;
  let cancel: { running: Promise<unknown> } | null = null;
  // The child's final commit holds the child's row and is about to hand its result to the parent.
  onFaultPoint('commit.afterRunLocked', async (context) => {
    if (context.runId !== childId || cancel) return;
    cancel = await meanwhile(() => cancelRun({ db: t.db, ctx: operator, input: { id: parentId } }));
  });
  expect(await driveRun({ db: t.db, runId: childId })).toBe('SUCCEEDED');
  await expect(cancel!.running).resolves.toMatchObject({ status: 'CANCELED' });
  expect((await runRow(parentId)).status).toBe('CANCELED');
  expect(await checkRunInvariants(t.db, [parentId, childId], [])).toMatchObject({ badSeqs: [] });
});

it('defect 6: a run paused while QUEUED holds no slot, and goes back to the queue when resumed', async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'one-at-a-time',
    document: { settings: { maxConcurrentRuns: 1 }, steps: [task('approve')] },
  });
  const first = (await start('one-at-a-time')).runId;
  const paused = (await start('one-at-a-time')).runId;
  await workOffJobs([first, paused]);
  expect([(await runRow(first)).status, (await runRow(paused)).status]).toEqual(['WAITING', 'QUEUED']);
  await pauseRun({ db: t.db, ctx: operator, input: { id: paused } });
  const next = (await start('one-at-a-time')).runId;
  await workOffJobs([next]);
  expect((await runRow(next)).status).toBe('QUEUED');
  await completeTask({
    db: t.db,
    ctx: operator,
    input: { id: (await openTask(first))!.id, outcome: 'approve', data: {} },
  });
  await workOffJobs([first, paused, next]);
  // The freed slot goes to the queued run, not to the paused one, which holds none.
  expect([(await runRow(first)).status, (await runRow(paused)).status, (await runRow(next)).status]).toEqual([
    'SUCCEEDED',
    'PAUSED',
    'WAITING',
  ]);
  await resumeRun({ db: t.db, ctx: operator, input: { id: paused } });
  await workOffJobs([paused]);
  expect((await runRow(paused)).status).toBe('QUEUED');
});

it('defect 6: a held run whose slot was freed by a worker that died before sending its job is admitted by the reaper within seconds', async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'lost-handoff',
    document: { settings: { maxConcurrentRuns: 1 }, steps: [task('approve')] },
  });
  const first = (await start('lost-handoff')).runId;
  const held = (await start('lost-handoff')).runId;
  await workOffJobs([first, held]);
  expect([(await runRow(first)).status, (await runRow(held)).status]).toEqual(['WAITING', 'QUEUED']);
  await cancelRun({ db: t.db, ctx: operator, input: { id: first } });
  // The finish's job to the held run died with its worker (the fast path sends it after the commit).
  await sql`DELETE FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${held}`.execute(t.db);
  await t.db
    .updateTable('runs')
    .set({ updated_at: sql`now() - interval '6 seconds'` })
    .where('id', '=', held)
    .execute();
  expect(await reapStalledRuns({ db: t.db })).toBeGreaterThanOrEqual(1);
  await workOffJobs([held]);
  expect((await runRow(held)).status).toBe('WAITING');
});

it("defect 13: a run deadline whose timer fires before the wall clock reaches it ends the run as the run's TIMEOUT, not a cancel or a retry", async () => {
  receiver = await startReceiver({ holdMs: 5_000 });
  // The call may be retried: only the run's deadline can end the run in this pass.
  const call = { ...slowCall('call'), retry: { maxAttempts: 3, initialDelayMs: 1_000 } };
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'deadline-clock',
    document: { settings: { timeoutMs: 1_000 }, steps: [call] },
  });
  const { runId } = await start('deadline-clock');
  // From the call on, the wall clock runs 150 ms behind the timers (an NTP step back, or a
  // timer firing early by a millisecond, exaggerated): when the deadline's timer aborts the
  // call, Date.now() still says the deadline has not come.
  onFaultPoint('step.beforeExecute', () => {
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() - 150);
  });
  try {
    await worker('deadline').advance(runId);
  } finally {
    vi.restoreAllMocks();
  }
  const run = await runRow(runId);
  expect(run.status).toBe('FAILED');
  expect(run.error).toMatchObject({
    code: 'TIMEOUT',
    stepId: null,
    message: expect.stringContaining('settings.timeoutMs'),
  });
});

it('defect 6: a finish and its hand-off to the held run are one statement, so no worker death can come between them', async () => {
  receiver = await startReceiver({ holdMs: 1_000 });
  // One pass from admission to finish, with no waits: the finish commits as one statement.
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'atomic-handoff',
    document: { settings: { maxConcurrentRuns: 1 }, steps: [slowCall('call')] },
  });
  const first = (await start('atomic-handoff')).runId;
  await sql`DELETE FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${first}`.execute(t.db);
  const pass = worker('finisher').advance(first);
  await until('the call to be in flight', () => receiver!.deliveries.length === 1, { everyMs: 10 });
  const held = (await start('atomic-handoff')).runId;
  await workOffJobs([held]);
  expect((await runRow(held)).status).toBe('QUEUED');
  // A worker used to send the held run's job after the finish, in the same transaction; a
  // worker killed at that send (this fault point) left the finish uncommitted. The job is now a
  // CTE of the finishing statement: there is no separate send for a death to split off.
  let separateSends = 0;
  onFaultPoint('queue.beforeSend', ({ runId }) => {
    if (runId === held) separateSends++;
  });
  await pass;
  clearFaultPoints();
  expect(separateSends).toBe(0);
  expect((await runRow(first)).status).toBe('SUCCEEDED');
  const handedOff = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${held} AND state = 'created'`.execute(
    t.db,
  );
  expect(handedOff.rows[0]?.n).toBe(1);
  await workOffJobs([held]);
  expect(['RUNNING', 'SUCCEEDED']).toContain((await runRow(held)).status);
});

it("defect 13: an event delivered while another transaction holds the waiting run's row, then rolls back, still resumes the run (nothing is skipped as locked)", async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'locked-wait',
    document: {
      steps: [{ id: 'hear', type: 'event.wait', config: { event: 'order.locked', saveAs: 'vars.heard' } }],
      output: { $expr: 'vars.heard.n' },
    },
  });
  const { runId } = await start('locked-wait');
  await worker('waiter').advance(runId);
  expect((await runRow(runId)).status).toBe('WAITING');
  // Another transaction (an operator's, a worker's commit) holds the run row and will roll back.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = t.db
    .transaction()
    .execute(async (tx) => {
      await sql`SELECT 1 FROM runs WHERE id = ${runId} FOR UPDATE`.execute(tx);
      locked();
      await released;
      throw new Error('rolled back');
    })
    .catch((error: unknown) => error);
  await isLocked;
  const delivery = deliverEvent({ db: t.db, ctx: editor, input: { event: 'order.locked', payload: { n: 7 } } });
  // The delivery waits for the lock instead of skipping the wait (it used to SKIP LOCKED).
  await until(
    'the delivery to wait for the run row',
    async () =>
      (
        await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND locktype IN ('transactionid', 'tuple')`.execute(
          t.db,
        )
      ).rows[0]!.n > 0,
    { everyMs: 20, timeoutMs: 10_000 },
  );
  release();
  expect(await holder).toMatchObject({ message: 'rolled back' });
  expect((await delivery).resumed).toEqual([runId]);
  expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
  expect((await runRow(runId)).output).toBe(7);
});

it("a run paused by an operator and then canceled by its parent between a worker's passes is not logged as resumed by that worker", async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'woken-then-paused',
    document: {
      steps: [
        { id: 'hear', type: 'event.wait', config: { event: 'already.here', lookbackMs: 60_000, saveAs: 'vars.heard' } },
        task('approve'),
      ],
    },
  });
  await deliverEvent({ db: t.db, ctx: editor, input: { event: 'already.here', payload: { n: 1 } } });
  const { runId } = await start('woken-then-paused');
  // The wait finds the stored event as it is created, so the pass releases the run RUNNING and
  // the worker claims it again at once; in between, an operator pauses it and its parent,
  // ending, asks it to cancel (chaos seed 20261204 found this). The release keeps the lease
  // for that re-claim now: the operator acts directly only once it ran out (the worker froze
  // in between), and the pause raises the fence, so the re-claim is an ordinary claim.
  const waker = worker('waker');
  onFaultPoint('advance.beforeReclaim', async () => {
    clearFaultPoints();
    expect(await expireLeasesOf({ db: t.db, workerId: waker.workerId })).toBe(1);
    expect(await pauseRun({ db: t.db, ctx: operator, input: { id: runId } })).toMatchObject({ status: 'PAUSED' });
    await requestCancelFromParent({ db: t.db, runId });
  });
  await waker.advance(runId);
  await driveRun({ db: t.db, runId });
  expect((await runRow(runId)).status).toBe('CANCELED');
  const types = await eventTypes(runId);
  expect(types.slice(types.indexOf('run.paused'))).toEqual(['run.paused', 'run.canceled']);
});

it('a timer whose job was lost (its worker lost the database as it took the job) is sent again within seconds, not after 10', async () => {
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'lost-timer-job',
    document: { steps: [{ id: 'nap', type: 'time.delay', config: { durationMs: 1_000 } }] },
  });
  const { runId } = await start('lost-timer-job');
  await worker('sleeper').advance(runId);
  expect((await runRow(runId)).status).toBe('WAITING');
  // The timer's job was taken by a worker whose connections were then terminated: gone.
  await sql`DELETE FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId}`.execute(t.db);
  // Chaos seed 31337: due 2.2 s ago, the run last written 4 s ago; the reaper waited for 10 s.
  await t.db
    .updateTable('run_waits')
    .set({ resume_at: sql`now() - interval '2200 milliseconds'` })
    .where('run_id', '=', runId)
    .where('status', '=', 'open')
    .execute();
  await t.db
    .updateTable('runs')
    .set({ updated_at: sql`now() - interval '4 seconds'` })
    .where('id', '=', runId)
    .execute();
  expect(await reapStalledRuns({ db: t.db })).toBeGreaterThanOrEqual(1);
  await workOffJobs([runId]);
  expect((await runRow(runId)).status).toBe('SUCCEEDED');
});

it('a run migrated while a frozen worker (lease expired) still holds its old position: the stale pass writes nothing, and the run goes on in the new version', async () => {
  const assign = (id: string) => ({ id, type: 'transform.assign', config: { assign: { [`vars.${id}`]: true } } });
  const nap = { id: 'nap', type: 'time.delay', config: { durationMs: 400 } };
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'migrate-stale',
    document: { steps: [nap, assign('old')], output: { $expr: 'vars' } },
  });
  const { runId } = await start('migrate-stale');
  await worker('first').advance(runId);
  expect((await runRow(runId)).status).toBe('WAITING');
  const v2 = { key: 'migrate-stale', name: 'migrate-stale', steps: [nap, assign('added'), assign('old')] };
  await saveDraft({
    db: t.db,
    ctx: editor,
    input: { key: 'migrate-stale', document: { ...v2, output: { $expr: 'vars' } } as never },
  });
  await publishVersion({ db: t.db, ctx: editor, input: { key: 'migrate-stale', version: 2 } });
  const timer = await t.db
    .selectFrom('run_waits')
    .select('resume_at')
    .where('run_id', '=', runId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  await until('the delay to be due', () => timer.resume_at!.getTime() < Date.now(), { everyMs: 20 });

  // The stale worker resumes the delay and is about to run `old` (v1's steps[1]), nothing committed yet.
  // It freezes past its lease; an operator moves the run to v2, where steps[1] is `added`.
  let migrated: unknown = null;
  onFaultPoint('step.beforeExecute', async ({ stepId }) => {
    if (stepId !== 'old' || migrated) return;
    await t.db
      .updateTable('runs')
      .set({ lease_expires_at: sql`now() - interval '1 second'` })
      .where('id', '=', runId)
      .execute();
    migrated = await migrateRun({ db: t.db, ctx: operator, input: { id: runId, version: 2 } });
  });
  await worker('stale').advance(runId);
  expect(migrated).toMatchObject({ from: 1, to: 2, status: 'WAITING' });
  // Its commit was refused: not a record of `old` at steps[1], and the run still waits in v2.
  const afterStale = await runRow(runId);
  expect([afterStale.status, afterStale.version]).toEqual(['WAITING', 2]);
  expect(
    await t.db
      .selectFrom('run_steps')
      .select('step_id')
      .where('run_id', '=', runId)
      .where('step_id', '=', 'old')
      .execute(),
  ).toEqual([]);

  clearFaultPoints();
  expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
  const done = await runRow(runId);
  expect(done.output).toEqual({ added: true, old: true });
  const records = await t.db
    .selectFrom('run_steps')
    .select(['step_id', 'path', 'status'])
    .where('run_id', '=', runId)
    .where('status', '=', 'SUCCEEDED')
    .orderBy('path')
    .execute();
  expect(records.map((r) => [r.step_id, r.path])).toEqual([
    ['nap', 'steps[0]'],
    ['added', 'steps[1]'],
    ['old', 'steps[2]'],
  ]);
  expect(await checkRunInvariants(t.db, [runId], ['steps[0]', 'steps[1]', 'steps[2]'])).toEqual({
    badSteps: [],
    badSeqs: [],
  });
});
