import { afterEach, beforeEach, expect, it, onTestFailed } from 'vitest';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import {
  killAllWorkers,
  startReceiver,
  startWorker,
  untilAllTerminal,
  workerOutputs,
  type TReceiver,
  type TWorkerProcess,
} from '@/test/faults/fault-harness';

let t: TTestDatabase;
let receiver: TReceiver | null = null;
beforeEach(async () => {
  t = await createTestDatabase('fault_retry');
  process.env.DATABASE_URL = t.url;
});
afterEach(async () => {
  await killAllWorkers();
  await receiver?.close();
  await t.close();
});

it('retries a 503 with the scheduled backoff, honouring Retry-After, and never sooner than scheduled', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  // 503 with Retry-After: 1, then a bare 503, then 200.
  receiver = await startReceiver({
    answer: (_key, n) =>
      n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : n === 2 ? { status: 503 } : { status: 200 },
  });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'flaky',
    document: {
      steps: [
        {
          id: 'call',
          type: 'action.call',
          retry: { maxAttempts: 4, initialDelayMs: 200, backoffCoefficient: 2, jitter: false },
          config: { action: 'http.request', version: 1, input: { method: 'POST', url: `${receiver.url}/flaky` } },
        },
      ],
    },
  });
  workers.push(await startWorker({ url: t.url }));
  const { runId } = await startRun({
    tenantId: ctx.tenantId,
    workflowKey: 'flaky',
    input: {},
    trigger: { type: 'api' },
  });
  await untilAllTerminal(t.db, [runId], 30_000);

  const run = await t.db.selectFrom('runs').select(['status']).where('id', '=', runId).executeTakeFirstOrThrow();
  expect(run.status).toBe('SUCCEEDED');
  const attempts = await t.db
    .selectFrom('run_steps')
    .select(['attempt', 'status', 'started_at', 'completed_at', 'error'])
    .where('run_id', '=', runId)
    .orderBy('attempt')
    .execute();
  expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
    [1, 'FAILED'],
    [2, 'FAILED'],
    [3, 'SUCCEEDED'],
  ]);
  expect(attempts.slice(0, 2).map((a) => (a.error as { code?: string }).code)).toEqual(['HTTP', 'HTTP']);

  const scheduled = await t.db
    .selectFrom('run_events')
    .select(['data'])
    .where('run_id', '=', runId)
    .where('type', '=', 'step.retry_scheduled')
    .orderBy('seq')
    .execute();
  const delays = scheduled.map((e) => (e.data as { delayMs: number; nextAttempt: number }).delayMs);
  // Retry-After (1 s) outweighs the first backoff (200 ms); the second is 200 ms × 2, no jitter.
  expect(delays).toEqual([1000, 400]);

  // Lower bounds only: an attempt never starts before its backoff ran out, however late it is.
  for (let i = 0; i < 2; i++) {
    const gapMs = attempts[i + 1]!.started_at.getTime() - attempts[i]!.completed_at!.getTime();
    expect(gapMs).toBeGreaterThanOrEqual(delays[i]!);
    // A liveness bound, far above any scheduling noise: a due timer once waited for pg-boss's
    // 30 s NOTIFY-mode poll (worker/main.ts notifyPollingIntervalSeconds).
    expect(gapMs).toBeLessThan(delays[i]! + 15_000);
    const wireGapMs = receiver.deliveries[i + 1]!.at - receiver.deliveries[i]!.respondedAt!;
    expect(wireGapMs).toBeGreaterThanOrEqual(delays[i]!);
  }
  expect(receiver.deliveries.map((d) => d.key)).toEqual([
    `${runId}:steps[0]`,
    `${runId}:steps[0]`,
    `${runId}:steps[0]`,
  ]);
  console.log(
    `retry: scheduled ${delays.join(', ')} ms; observed ${[0, 1].map((i) => attempts[i + 1]!.started_at.getTime() - attempts[i]!.completed_at!.getTime()).join(', ')} ms`,
  );
}, 60_000);
