import { afterEach, beforeEach, expect, it, onTestFailed } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { cancelRun } from '@/server/runs/cancel-run';
import { pauseRun } from '@/server/runs/pause-run';
import { resumeRun } from '@/server/runs/resume-run';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
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
let editor: TAuthContext;
let operator: TAuthContext;
beforeEach(async () => {
  t = await createTestDatabase('fault_operate');
  process.env.DATABASE_URL = t.url;
  editor = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  operator = (await addMemberTo({ db: t.db, ctx: editor, role: 'operator' })).ctx;
});
afterEach(async () => {
  await killAllWorkers();
  await receiver?.close();
  await t.close();
});

const statusOf = async (runId: string) =>
  (await t.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow()).status;

it('cancel during an action aborts the request in flight, runs nothing after it and records CANCELED', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  // The receiver holds every request for a minute: only an abort ends the call early.
  receiver = await startReceiver({ holdMs: 60_000 });
  const call = (id: string) => ({
    id,
    type: 'action.call',
    config: {
      action: 'http.request',
      version: 1,
      input: { method: 'POST', url: `${receiver!.url}/${id}`, timeoutMs: 120_000 },
    },
  });
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'slow-call',
    document: { steps: [call('first'), call('second')] },
  });
  workers.push(await startWorker({ url: t.url }));
  const { runId } = await startRun({
    tenantId: editor.tenantId,
    workflowKey: 'slow-call',
    input: {},
    trigger: { type: 'api' },
  });
  await until('the request to be in flight', () => receiver!.deliveries.length === 1, { everyMs: 20 });

  expect(await cancelRun({ db: t.db, ctx: operator, input: { id: runId, reason: 'wrong customer' } })).toMatchObject({
    runId,
    requested: true,
  });
  // The worker reads the request at its next lease renewal (every 2 s) and aborts the call.
  await untilAllTerminal(t.db, [runId], 20_000);
  expect(await statusOf(runId)).toBe('CANCELED');
  const steps = await t.db.selectFrom('run_steps').select(['step_id', 'status']).where('run_id', '=', runId).execute();
  expect(steps.map((s) => s.step_id)).toEqual(['first']);
  expect(steps[0]!.status).not.toBe('SUCCEEDED');
  expect(receiver.deliveries).toHaveLength(1);
  expect(receiver.deliveries[0]!.respondedAt).toBeNull(); // aborted long before the receiver answered
  const last = await t.db
    .selectFrom('run_events')
    .select(['type'])
    .where('run_id', '=', runId)
    .orderBy('seq', 'desc')
    .executeTakeFirstOrThrow();
  expect(last.type).toBe('run.canceled');
  expect(await checkRunInvariants(t.db, [runId], [])).toMatchObject({ badSeqs: [] });
}, 60_000);

it('pause during a forEach stops after the current step; resume finishes every item once, results in item order', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  receiver = await startReceiver({ holdMs: 150 });
  const ITEMS = 12;
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'paced-loop',
    document: {
      steps: [
        {
          id: 'each',
          type: 'control.forEach',
          config: {
            items: { $expr: `[1..${ITEMS}]` },
            concurrency: 1,
            collect: { $expr: '$item * 10' },
            saveAs: 'vars.results',
            steps: [
              {
                id: 'call',
                type: 'action.call',
                config: {
                  action: 'http.request',
                  version: 1,
                  input: { method: 'POST', url: { $expr: `"${receiver.url}/item/" & $string($item)` } },
                },
              },
            ],
          },
        },
      ],
      output: { $expr: 'vars.results' },
    },
  });
  workers.push(await startWorker({ url: t.url }));
  const { runId } = await startRun({
    tenantId: editor.tenantId,
    workflowKey: 'paced-loop',
    input: {},
    trigger: { type: 'api' },
  });
  await until('a few items to be done', () => receiver!.deliveries.length >= 3, { everyMs: 20 });

  await pauseRun({ db: t.db, ctx: operator, input: { id: runId, reason: 'checking the first items' } });
  await until('the run to be PAUSED', async () => (await statusOf(runId)) === 'PAUSED', { timeoutMs: 20_000 });
  const atPause = receiver.deliveries.length;
  expect(atPause).toBeLessThan(ITEMS);
  // Nothing moves while paused: no request in flight is left over, none is started.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(receiver.deliveries.length).toBe(atPause);
  expect(receiver.deliveries.every((d) => d.respondedAt !== null)).toBe(true);

  await resumeRun({ db: t.db, ctx: operator, input: { id: runId } });
  await untilAllTerminal(t.db, [runId], 30_000);
  const run = await t.db
    .selectFrom('runs')
    .select(['status', 'output'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toEqual(Array.from({ length: ITEMS }, (_, i) => (i + 1) * 10));
  expect(receiver.deliveries).toHaveLength(ITEMS);
  expect([...receiver.perKey.values()].every((n) => n === 1)).toBe(true);
  const types = (
    await t.db.selectFrom('run_events').select('type').where('run_id', '=', runId).orderBy('seq').execute()
  ).map((e) => e.type);
  expect(types).toContain('run.paused');
  expect(types.indexOf('run.paused')).toBeLessThan(types.lastIndexOf('run.resumed'));
  expect(await checkRunInvariants(t.db, [runId], [])).toMatchObject({ badSeqs: [] });
}, 60_000);
