import { afterEach, beforeEach, expect, it, onTestFailed } from 'vitest';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import {
  checkRunInvariants,
  expireLeasesOf,
  killAllWorkers,
  killWorker,
  startReceiver,
  startWorker,
  until,
  untilAllTerminal,
  workerOutputs,
  type TReceiver,
  type TWorkerProcess,
} from '@/test/faults/fault-harness';

let t: TTestDatabase;
let receiver: TReceiver | null = null;
beforeEach(async () => {
  t = await createTestDatabase('fault_sigkill');
  process.env.DATABASE_URL = t.url; // startRun enqueues through pg-boss in this database
});
afterEach(async () => {
  await killAllWorkers();
  await receiver?.close();
  await t.close();
});

const STEPS = 30;
const RUNS = 12;
const HOLD_MS = 300;

it('SIGKILL while actions are in flight: every run succeeds, each step succeeds once, each key is effected once', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  receiver = await startReceiver({ holdMs: HOLD_MS });
  // Odd steps call the receiver (an outside effect), even steps are pure and batched.
  const steps = Array.from({ length: STEPS }, (_, i) =>
    i % 2 === 1
      ? {
          id: `call${i}`,
          type: 'action.call',
          config: {
            action: 'http.request',
            version: 1,
            input: { method: 'POST', url: `${receiver!.url}/effect`, body: { step: i } },
          },
        }
      : { id: `add${i}`, type: 'transform.assign', config: { assign: { [`vars.n${i}`]: { $expr: `${i} * 2` } } } },
  );
  await publishWorkflow({ db: t.db, ctx, key: 'slow-effects', document: { steps } });
  const httpPaths = steps.flatMap((step, i) => (step.type === 'action.call' ? [`steps[${i}]`] : []));

  // Runs first, worker second: its first fetch takes a full batch, so several runs are in flight together.
  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++)
    runIds.push(
      (await startRun({ tenantId: ctx.tenantId, workflowKey: 'slow-effects', input: {}, trigger: { type: 'api' } }))
        .runId,
    );
  const first = await startWorker({ url: t.url });
  workers.push(first);

  // Kill while requests are held by the receiver: some runs are mid-action, some mid-batch.
  await until('the receiver to have seen 12 deliveries', () => receiver!.deliveries.length >= 12, {
    timeoutMs: 30_000,
    everyMs: 20,
  });
  await killWorker(first);
  const killedAt = Date.now();
  // With the worker dead nothing changes: this is exactly what was in flight at the kill.
  const inFlight = await t.db
    .selectFrom('run_steps')
    .select(['run_id', 'path'])
    .where('run_id', 'in', runIds)
    .where('status', '=', 'RUNNING')
    .where('type', '=', 'action.call')
    .execute();
  const inFlightKeys = new Set(inFlight.map((step) => `${step.run_id}:${step.path}`));
  expect(inFlightKeys.size).toBeGreaterThan(1);

  const second = await startWorker({ url: t.url });
  workers.push(second);
  await expireLeasesOf({ db: t.db, workerId: first.id });
  await untilAllTerminal(t.db, runIds, 90_000);

  const runs = await t.db.selectFrom('runs').select(['id', 'status', 'error']).where('id', 'in', runIds).execute();
  expect(runs.filter((run) => run.status !== 'SUCCEEDED')).toEqual([]);
  const report = await checkRunInvariants(
    t.db,
    runIds,
    steps.map((_, i) => `steps[${i}]`),
  );
  expect(report).toEqual({ badSteps: [], badSeqs: [] });

  // The receiver performed each effect once: one distinct key per http step of each run.
  const expectedKeys = runIds.flatMap((runId) => httpPaths.map((path) => `${runId}:${path}`));
  expect(new Set(receiver.perKey.keys())).toEqual(new Set(expectedKeys));
  // Redelivery is expected after a kill, but only of a step whose result was not yet recorded.
  const duplicated = [...receiver.perKey.entries()].filter(([, n]) => n > 1).map(([key]) => key);
  expect(duplicated.filter((key) => !inFlightKeys.has(key))).toEqual([]);
  const ledger = await t.db
    .selectFrom('action_invocations')
    .select(['idempotency_key'])
    .where('run_id', 'in', runIds)
    .execute();
  expect(ledger.map((row) => row.idempotency_key).sort()).toEqual([...expectedKeys].sort());

  // The dead holder's unfinished attempts are closed as WORKER_LOST, never left RUNNING.
  const lost = await t.db
    .selectFrom('run_steps')
    .select(['error'])
    .where('run_id', 'in', runIds)
    .where('status', '=', 'FAILED')
    .execute();
  expect(lost.every((step) => (step.error as { code?: string } | null)?.code === 'WORKER_LOST')).toBe(true);
  console.log(
    `sigkill: ${RUNS} runs × ${STEPS} steps, ${inFlightKeys.size} actions in flight at the kill, ${receiver.deliveries.length} deliveries for ${expectedKeys.length} keys ` +
      `(${duplicated.length} keys redelivered), ${lost.length} WORKER_LOST attempts, recovered in ${Date.now() - killedAt} ms`,
  );
}, 150_000);
