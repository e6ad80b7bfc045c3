import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { deliverEvent } from '@/server/events/deliver-event';
import { advanceRun } from '@/server/runtime/advance-run';
import { clearFaultPoints, onFaultPoint } from '@/server/runtime/fault-points';
import { ADVANCE_QUEUE } from '@/server/runtime/queue/run-queue';
import { LeaseKeeper } from '@/server/runtime/run-store/lease-keeper';
import { reapStalledRuns } from '@/server/runtime/run-store/reap-stalled-runs';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import {
  checkRunInvariants,
  expireLeasesOf,
  killAllWorkers,
  killWorker,
  startWorker,
  until,
  workerOutputs,
  type TWorkerProcess,
} from '@/test/faults/fault-harness';

/**
 * A pass whose release finds the run woken (an event its wait's lookback found as it was
 * created, a wake-up racing the suspend) leaves it RUNNING for the same worker to claim again
 * at once. The release used to clear the lease too: a worker that died between that release
 * and its re-claim left the run RUNNING, held by nobody and with no job, until the reaper's
 * 2-minute look (chaos: "RUNNING, held by nobody, no job"). The lease now stays with the
 * worker until it claims again, so a death there is an expired lease the reaper re-sends.
 */
let t: TTestDatabase;
let editor: TAuthContext;
const workers: TWorkerProcess[] = [];
beforeAll(async () => {
  t = await createTestDatabase('woken_release');
  process.env.DATABASE_URL = t.url;
  editor = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  // The wait finds an event already stored (lookbackMs): the pass that creates it is woken.
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'woken',
    document: {
      steps: [
        {
          id: 'hear',
          type: 'event.wait',
          config: { event: 'stored.before', lookbackMs: 3_600_000, saveAs: 'vars.heard' },
        },
        { id: 'after', type: 'transform.assign', config: { assign: { 'vars.after': true } } },
      ],
      output: { $expr: 'vars.heard.n' },
    },
  });
  await deliverEvent({ db: t.db, ctx: editor, input: { event: 'stored.before', payload: { n: 5 } } });
});
afterEach(async () => {
  clearFaultPoints();
  if (workers.some((w) => w.child.exitCode === null)) console.log(workerOutputs(workers));
  await killAllWorkers();
  workers.length = 0;
});
afterAll(async () => {
  await t.close();
});

const start = async () =>
  (await startRun({ tenantId: editor.tenantId, workflowKey: 'woken', input: {}, trigger: { type: 'api' } })).runId;
const runRow = (runId: string) => t.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
const openJobs = async (runId: string) =>
  (
    await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId} AND state IN ('created', 'retry', 'active')`.execute(
      t.db,
    )
  ).rows[0]!.n;

it('a worker that dies between a woken release and its re-claim leaves an expiring lease, and the reaper sends the run a job', async () => {
  const runId = await start();
  // The run's first job, taken (this test is the worker).
  await sql`UPDATE pgboss.job SET state = 'completed' WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId}`.execute(
    t.db,
  );
  const workerId = `dies-${randomUUID().slice(0, 8)}`;
  onFaultPoint('advance.beforeReclaim', () => {
    throw new Error('the worker died here');
  });
  await expect(
    advanceRun({ db: t.db, runId, workerId, leases: new LeaseKeeper(t.db, workerId, () => {}) }),
  ).rejects.toThrow('the worker died here');
  clearFaultPoints();
  const left = await runRow(runId);
  expect(left.status).toBe('RUNNING');
  expect(left.lease_owner).toBe(workerId);
  expect(await openJobs(runId)).toBe(0);
  // The lease runs out (LEASE_MS after the dead worker's last renewal); the reaper's
  // expired-lease look, not its 2-minute one, sends the run on.
  // A renewal the pass had in flight as it ended may land after the expiry written here (the
  // kept lease is the same one): expire it again until the reaper sees it expired.
  await until('the reaper to send the run with the expired lease a job', async () => {
    expect(await expireLeasesOf({ db: t.db, workerId })).toBe(1);
    return (await reapStalledRuns({ db: t.db })) === 1;
  });
  expect(await openJobs(runId)).toBe(1);
  const next = `next-${randomUUID().slice(0, 8)}`;
  await sql`UPDATE pgboss.job SET state = 'completed' WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId}`.execute(
    t.db,
  );
  await advanceRun({ db: t.db, runId, workerId: next, leases: new LeaseKeeper(t.db, next, () => {}) });
  const done = await runRow(runId);
  expect(done.status).toBe('SUCCEEDED');
  expect(done.output).toBe(5);
});

it('a worker that lives re-claims its own kept lease at once: one pass after the other, no recovery counted, nothing bounced', async () => {
  const runId = await start();
  await sql`UPDATE pgboss.job SET state = 'completed' WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId}`.execute(
    t.db,
  );
  const workerId = `lives-${randomUUID().slice(0, 8)}`;
  let between: { lease_owner: string | null; status: string } | null = null;
  onFaultPoint('advance.beforeReclaim', async () => {
    between = await runRow(runId);
  });
  await advanceRun({ db: t.db, runId, workerId, leases: new LeaseKeeper(t.db, workerId, () => {}) });
  expect(between).toMatchObject({ status: 'RUNNING', lease_owner: workerId });
  const done = await runRow(runId);
  expect(done).toMatchObject({ status: 'SUCCEEDED', recoveries: 0, lease_owner: null, wake_requested: false });
  const steps = await t.db.selectFrom('run_steps').select(['path', 'status']).where('run_id', '=', runId).execute();
  expect(steps.filter((s) => s.status === 'FAILED')).toEqual([]);
});

it('SIGKILL of a real worker between the woken release and the re-claim: the run is re-sent within seconds by another worker', async () => {
  // The worker stops at the fault point (PIPEWRIGHT_FAULT_HOLD) and is killed there.
  const dying = await startWorker({ url: t.url, env: { PIPEWRIGHT_FAULT_HOLD: 'advance.beforeReclaim' } });
  workers.push(dying);
  const runId = await start();
  await until('the worker to stop between the release and the re-claim', () =>
    dying.output().includes(`fault point advance.beforeReclaim held (run ${runId})`),
  );
  await killWorker(dying);
  const left = await runRow(runId);
  expect(left).toMatchObject({ status: 'RUNNING', lease_owner: dying.id });
  await expireLeasesOf({ db: t.db, workerId: dying.id });
  const rescuer = await startWorker({ url: t.url });
  workers.push(rescuer);
  // The rescuer's reaper sees the expired lease within its 2 s interval; no timestamps aged.
  await until('the run to finish', async () => ((await runRow(runId)).status === 'SUCCEEDED' ? true : null), {
    timeoutMs: 60_000,
  });
  expect(await checkRunInvariants(t.db, [runId], ['steps[0]', 'steps[1]'])).toEqual({ badSteps: [], badSeqs: [] });
  // Two real worker starts: through tsx on a loaded 2-core machine each can take a minute.
}, 300_000);
