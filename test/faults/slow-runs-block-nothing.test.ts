import { afterEach, beforeEach, expect, it, onTestFailed } from 'vitest';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import {
  killAllWorkers,
  startReceiver,
  startWorker,
  until,
  workerOutputs,
  type TReceiver,
  type TWorkerProcess,
} from '@/test/faults/fault-harness';

let t: TTestDatabase;
let receiver: TReceiver | null = null;
beforeEach(async () => {
  t = await createTestDatabase('fault_slow_runs');
  process.env.DATABASE_URL = t.url;
});
afterEach(async () => {
  await killAllWorkers();
  await receiver?.close();
  await t.close();
});

// More slow runs than the worker has fetch loops (3), each fetched in a batch of its own.
const SLOW_RUNS = 4;

it('runs stuck in long calls, one per fetch batch, do not stop the worker from starting and finishing a new run', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  // The receiver answers only after the test is over: every slow run is mid-call throughout.
  receiver = await startReceiver({ holdMs: 60_000 });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'slow',
    document: {
      steps: [
        {
          id: 'call',
          type: 'action.call',
          timeoutMs: 90_000,
          config: {
            action: 'http.request',
            version: 1,
            input: { method: 'POST', url: `${receiver.url}/slow`, timeoutMs: 90_000 },
          },
        },
      ],
    },
  });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'quick',
    document: {
      steps: [{ id: 'echo', type: 'action.call', config: { action: 'core.echo', version: 1, input: { ok: true } } }],
    },
  });
  workers.push(await startWorker({ url: t.url }));

  for (let i = 1; i <= SLOW_RUNS; i++) {
    await startRun({ tenantId: ctx.tenantId, workflowKey: 'slow', input: {}, trigger: { type: 'api' } });
    // Wait until this one is mid-call before the next is sent, so each comes in a fetch of its own.
    await until(`slow run ${i} to be mid-call`, () => receiver!.deliveries.length >= i, {
      timeoutMs: 15_000,
      everyMs: 20,
    });
  }

  const { runId } = await startRun({
    tenantId: ctx.tenantId,
    workflowKey: 'quick',
    input: {},
    trigger: { type: 'api' },
  });
  const quick = await until(
    'the quick run to finish',
    async () => {
      const run = await t.db.selectFrom('runs').select(['status', 'output']).where('id', '=', runId).executeTakeFirst();
      return run && run.status !== 'QUEUED' && run.status !== 'RUNNING' ? run : null;
    },
    { timeoutMs: 30_000, everyMs: 50 },
  );
  expect(quick.status).toBe('SUCCEEDED');
  // It finished while every slow call was still open: nothing waited for them.
  expect(receiver.deliveries.filter((delivery) => delivery.respondedAt !== null)).toEqual([]);
}, 90_000);
