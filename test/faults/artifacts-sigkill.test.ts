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

// SPEC §11 artifacts under a crash: a worker SIGKILLed after the receiver got the request (the
// effect happened) and before the step's commit stored nothing; the worker that takes the run
// over calls again under the same key and stores exactly one file per step.

let t: TTestDatabase;
let receiver: TReceiver | null = null;
beforeEach(async () => {
  t = await createTestDatabase('fault_artifacts');
  process.env.DATABASE_URL = t.url;
});
afterEach(async () => {
  await killAllWorkers();
  await receiver?.close();
  await t.close();
});

const RUNS = 4;

it('SIGKILL between the effect and the commit: one artifact per step, the one the committed output names', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  receiver = await startReceiver({
    holdMs: 400,
    answer: (key, n) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: `${key} delivery ${n}` }),
  });
  const steps = [
    {
      id: 'fetch',
      type: 'action.call',
      config: {
        action: 'http.request',
        version: 1,
        input: { method: 'GET', url: `${receiver.url}/report.txt`, saveBodyAs: 'artifact' },
        saveAs: 'vars.report',
      },
    },
    {
      id: 'after',
      type: 'transform.assign',
      config: { assign: { 'vars.size': { $expr: 'vars.report.body.$artifact.size' } } },
    },
  ];
  await publishWorkflow({ db: t.db, ctx, key: 'artifact-kill', document: { steps } });
  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++)
    runIds.push(
      (await startRun({ tenantId: ctx.tenantId, workflowKey: 'artifact-kill', input: {}, trigger: { type: 'api' } }))
        .runId,
    );
  const first = await startWorker({ url: t.url, env: { PIPEWRIGHT_EGRESS_ALLOW: '127.0.0.1' } });
  workers.push(first);
  await until(`the receiver to hold ${RUNS} requests`, () => receiver!.deliveries.length >= RUNS, {
    timeoutMs: 30_000,
    everyMs: 10,
  });
  await killWorker(first);
  // Effects happened, nothing of them was committed.
  expect(await t.db.selectFrom('run_artifacts').select('id').execute()).toEqual([]);

  const second = await startWorker({ url: t.url, env: { PIPEWRIGHT_EGRESS_ALLOW: '127.0.0.1' } });
  workers.push(second);
  await expireLeasesOf({ db: t.db, workerId: first.id });
  await untilAllTerminal(t.db, runIds, 60_000);

  const runs = await t.db.selectFrom('runs').select(['id', 'status']).where('id', 'in', runIds).execute();
  expect(runs.filter((run) => run.status !== 'SUCCEEDED')).toEqual([]);
  expect(await checkRunInvariants(t.db, runIds, ['steps[0]', 'steps[1]'])).toEqual({ badSteps: [], badSeqs: [] });
  const artifacts = await t.db
    .selectFrom('run_artifacts')
    .select(['id', 'run_id', 'data'])
    .where('run_id', 'in', runIds)
    .execute();
  expect(artifacts).toHaveLength(RUNS);
  const succeeded = await t.db
    .selectFrom('run_steps')
    .select(['run_id', 'output'])
    .where('run_id', 'in', runIds)
    .where('path', '=', 'steps[0]')
    .where('status', '=', 'SUCCEEDED')
    .execute();
  for (const runId of runIds) {
    const stored = artifacts.filter((a) => a.run_id === runId);
    expect(stored).toHaveLength(1);
    const output = succeeded.find((s) => s.run_id === runId)!.output as { body: { $artifact: { id: string } } };
    expect(output.body.$artifact.id).toBe(stored[0]!.id);
    // The file is the answer to the call whose result was committed: a later delivery than the one in flight at the kill.
    const key = `${runId}:steps[0]`;
    expect(stored[0]!.data.toString()).toBe(`${key} delivery ${receiver.perKey.get(key)}`);
    expect(receiver.perKey.get(key)).toBeGreaterThanOrEqual(2);
  }
}, 120_000);
