import { afterEach, beforeEach, expect, it, onTestFailed } from 'vitest';
import { MAX_RECOVERIES } from '@/server/runtime/advance-run';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import {
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
  t = await createTestDatabase('fault_poison');
  process.env.DATABASE_URL = t.url;
});
afterEach(async () => {
  await killAllWorkers();
  await receiver?.close();
  await t.close();
});

it('a step that kills its worker every time fails the run with WORKER_CRASHED after MAX_RECOVERIES, instead of crash-looping', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  // The receiver never answers in time: the worker is always inside the poison step when it dies.
  receiver = await startReceiver({ holdMs: 120_000 });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'poison',
    document: {
      steps: [
        { id: 'before', type: 'transform.assign', config: { assign: { 'vars.a': 1 } } },
        {
          id: 'poison',
          type: 'action.call',
          config: { action: 'http.request', version: 1, input: { method: 'POST', url: `${receiver.url}/poison` } },
        },
        { id: 'after', type: 'transform.assign', config: { assign: { 'vars.b': 2 } } },
      ],
    },
  });
  const { runId } = await startRun({
    tenantId: ctx.tenantId,
    workflowKey: 'poison',
    input: {},
    trigger: { type: 'api' },
  });

  // There is no natural way for a step to crash the process, so we crash it ourselves each
  // time the poison step's attempt is durably RUNNING (its record is flushed before the call).
  // Two workers are alive at all times and either may claim the run, so the one killed is
  // the one holding its lease, found from the run row.
  let alive = [await startWorker({ url: t.url }), await startWorker({ url: t.url })];
  workers.push(...alive);
  let kills = 0;
  for (;;) {
    // This round's own attempt: the dead worker's RUNNING record lingers until the next claim closes it.
    const reached = await until(
      `attempt ${kills + 1} of the poison step, or the end of the run`,
      async () => {
        const run = await t.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow();
        if (run.status === 'FAILED' || run.status === 'SUCCEEDED') return 'ended';
        const running = await t.db
          .selectFrom('run_steps')
          .select('id')
          .where('run_id', '=', runId)
          .where('path', '=', 'steps[1]')
          .where('status', '=', 'RUNNING')
          .where('attempt', '=', kills + 1)
          .executeTakeFirst();
        return running ? 'in poison' : null;
      },
      { timeoutMs: 30_000, everyMs: 25 },
    );
    if (reached === 'ended') break;
    const { lease_owner: holderId } = await t.db
      .selectFrom('runs')
      .select('lease_owner')
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    const holder = alive.find((worker) => worker.id === holderId);
    if (!holder)
      throw new Error(
        `The run is held by ${holderId}, which is none of the live workers (${alive.map((w) => w.id).join(', ')})`,
      );
    await killWorker(holder);
    kills += 1;
    expect(kills).toBeLessThanOrEqual(MAX_RECOVERIES + 1); // a crash loop would go on past this
    await expireLeasesOf({ db: t.db, workerId: holder.id });
    const fresh = await startWorker({ url: t.url });
    workers.push(fresh);
    alive = [...alive.filter((worker) => worker !== holder), fresh];
  }
  await untilAllTerminal(t.db, [runId], 10_000);

  const run = await t.db
    .selectFrom('runs')
    .select(['status', 'error'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  expect(run.status).toBe('FAILED');
  expect(run.error).toMatchObject({ code: 'WORKER_CRASHED', stepPath: 'steps[1]' });
  // One kill per attempt the recovery budget allows, then the run is failed without another try.
  expect(kills).toBe(MAX_RECOVERIES + 1);
  const attempts = await t.db
    .selectFrom('run_steps')
    .select(['path', 'status', 'attempt', 'error'])
    .where('run_id', '=', runId)
    .orderBy('started_at')
    .execute();
  expect(attempts.map((a) => [a.path, a.status])).toEqual([
    ['steps[0]', 'SUCCEEDED'],
    ...Array.from({ length: kills }, () => ['steps[1]', 'FAILED']),
  ]);
  expect(attempts.slice(1).every((a) => (a.error as { code?: string }).code === 'WORKER_LOST')).toBe(true);
  // At most one delivery per attempt, all with the step's one key; nothing after the failure.
  expect(receiver.deliveries.length).toBeLessThanOrEqual(kills);
  expect(new Set(receiver.deliveries.map((d) => d.key))).toEqual(new Set([`${runId}:steps[1]`]));
  const events = await t.db
    .selectFrom('run_events')
    .select(['seq', 'type'])
    .where('run_id', '=', runId)
    .orderBy('seq')
    .execute();
  expect(events.map((e) => Number(e.seq))).toEqual(events.map((_, i) => i + 1));
  expect(events.at(-1)?.type).toBe('run.failed');
  console.log(`poison: ${kills} kills, ${receiver.deliveries.length} deliveries, then FAILED/WORKER_CRASHED`);
}, 120_000);
