import { afterEach, beforeEach, expect, it, onTestFailed } from 'vitest';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import {
  checkRunInvariants,
  killAllWorkers,
  startWorker,
  untilAllTerminal,
  workerOutputs,
  type TWorkerProcess,
} from '@/test/faults/fault-harness';

let t: TTestDatabase;
beforeEach(async () => {
  t = await createTestDatabase('fault_race');
  process.env.DATABASE_URL = t.url;
});
afterEach(async () => {
  await killAllWorkers();
  await t.close();
});

const RUNS = 500;

it('two workers racing on 500 runs: every run succeeds and each step path succeeds exactly once', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  const steps = Array.from({ length: 5 }, (_, i) =>
    i % 2 === 0
      ? {
          id: `add${i}`,
          type: 'transform.assign',
          config: { assign: { [`vars.n${i}`]: { $expr: `payload.i + ${i}` } } },
        }
      : {
          id: `echo${i}`,
          type: 'action.call',
          config: { action: 'core.echo', version: 1, input: { i: { $expr: 'payload.i' } } },
        },
  );
  await publishWorkflow({ db: t.db, ctx, key: 'race', document: { steps } });
  workers.push(...(await Promise.all([startWorker({ url: t.url }), startWorker({ url: t.url })])));

  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'race',
      input: { i },
      trigger: { type: 'api' },
    });
    // A second job for the same run, so both workers really do contend for the same runs
    // (as after a reaper re-send) instead of pg-boss handing each run to one of them.
    await enqueueAdvance({ db: t.db, runId });
    runIds.push(runId);
  }
  await untilAllTerminal(t.db, runIds, 90_000);

  const notSucceeded = await t.db
    .selectFrom('runs')
    .select(['id', 'status', 'error'])
    .where('id', 'in', runIds)
    .where('status', '!=', 'SUCCEEDED')
    .execute();
  expect(notSucceeded).toEqual([]);
  expect(
    await checkRunInvariants(
      t.db,
      runIds,
      steps.map((_, i) => `steps[${i}]`),
    ),
  ).toEqual({ badSteps: [], badSeqs: [] });
  // Contention is settled by the claim, never by a write losing its lease midway.
  const failedAttempts = await t.db
    .selectFrom('run_steps')
    .select(['run_id'])
    .where('run_id', 'in', runIds)
    .where('status', '!=', 'SUCCEEDED')
    .execute();
  expect(failedAttempts).toEqual([]);
  for (const worker of workers) expect(worker.output()).not.toMatch(/lease on run .* was lost/);
  console.log(`race: ${RUNS} runs × ${steps.length} steps, two jobs per run, over two worker processes`);
}, 150_000);
