import { afterEach, beforeEach, expect, it, onTestFailed } from 'vitest';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import {
  checkRunInvariants,
  killAllWorkers,
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
  t = await createTestDatabase('fault_sigterm');
  process.env.DATABASE_URL = t.url;
});
afterEach(async () => {
  await killAllWorkers();
  await receiver?.close();
  await t.close();
});

// More runs than one worker holds at once (3 fetch loops × 8), so some are left for the second.
const RUNS = 40;
const STEPS = 10;

it('SIGTERM mid-run: the worker finishes what it holds and exits within 25 s; another worker finishes the rest', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  receiver = await startReceiver({ holdMs: 150 });
  const steps = Array.from({ length: STEPS }, (_, i) => ({
    id: `call${i}`,
    type: 'action.call',
    config: { action: 'http.request', version: 1, input: { method: 'POST', url: `${receiver!.url}/effect` } },
  }));
  await publishWorkflow({ db: t.db, ctx, key: 'stoppable', document: { steps } });
  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++)
    runIds.push(
      (await startRun({ tenantId: ctx.tenantId, workflowKey: 'stoppable', input: {}, trigger: { type: 'api' } })).runId,
    );

  const first = await startWorker({ url: t.url });
  workers.push(first);
  await until('the first worker to be mid-run', () => receiver!.deliveries.length >= 8, {
    timeoutMs: 30_000,
    everyMs: 20,
  });
  const termAt = Date.now();
  first.child.kill('SIGTERM');
  const exit = await Promise.race([
    first.exited,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 25_000)),
  ]);
  expect(exit).toEqual({ code: 0, signal: null });
  const stopMs = Date.now() - termAt;
  // Whatever it had not finished, it handed back: no run is left leased to a stopped worker.
  const stillLeased = await t.db.selectFrom('runs').select('id').where('lease_owner', '=', first.id).execute();
  expect(stillLeased).toEqual([]);
  const doneByFirst = await t.db
    .selectFrom('runs')
    .select('id')
    .where('id', 'in', runIds)
    .where('status', '=', 'SUCCEEDED')
    .execute();
  expect(doneByFirst.length).toBeGreaterThan(0);
  expect(doneByFirst.length).toBeLessThan(RUNS);

  const second = await startWorker({ url: t.url });
  workers.push(second);
  await untilAllTerminal(t.db, runIds, 60_000);
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
  // A graceful stop cuts no step short: no attempt lost, no request sent twice.
  const lost = await t.db
    .selectFrom('run_steps')
    .select('id')
    .where('run_id', 'in', runIds)
    .where('status', '!=', 'SUCCEEDED')
    .execute();
  expect(lost).toEqual([]);
  expect(receiver.deliveries.length).toBe(RUNS * STEPS);
  expect(receiver.perKey.size).toBe(RUNS * STEPS);
  console.log(
    `sigterm: stopped in ${stopMs} ms after finishing ${doneByFirst.length} runs; the second worker finished ${RUNS - doneByFirst.length}`,
  );
}, 90_000);
