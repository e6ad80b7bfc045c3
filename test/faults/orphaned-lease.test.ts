import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it, onTestFailed } from 'vitest';
import { ADVANCE_QUEUE } from '@/server/runtime/queue/run-queue';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import {
  killAllWorkers,
  startWorker,
  until,
  untilAllTerminal,
  workerOutputs,
  type TWorkerProcess,
} from '@/test/faults/fault-harness';

let t: TTestDatabase;
beforeEach(async () => {
  t = await createTestDatabase('fault_orphan');
  process.env.DATABASE_URL = t.url;
});
afterEach(async () => {
  await killAllWorkers();
  await t.close();
});

/**
 * The state a worker leaves when it dies between claiming a run and its first write: the run
 * keeps its status (QUEUED before admission, WAITING when claimed for a due timer), holds an
 * expired lease, and its job died with the worker. SIGKILL cannot hit that window reliably,
 * so the test writes the state itself; what it checks is that the reaper alone recovers it.
 */
async function orphan(runId: string): Promise<void> {
  await sql`DELETE FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId}`.execute(t.db);
  await t.db
    .updateTable('runs')
    .set({ lease_owner: 'dead-worker', lease_expires_at: sql`now() - interval '1 second'`, fence: sql`fence + 1` })
    .where('id', '=', runId)
    .execute();
}

it('a run whose worker died between claim and first write (QUEUED or WAITING) is re-sent by the reaper, not stranded', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'quick',
    document: { steps: [{ id: 'only', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
  });
  // The delay's own timer job is ten minutes out: within this test only the reaper can move the run.
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'sleepy',
    document: {
      steps: [
        { id: 'nap', type: 'time.delay', config: { durationMs: 600_000 } },
        { id: 'after', type: 'transform.assign', config: { assign: { 'vars.y': 2 } } },
      ],
    },
  });

  const queued = (await startRun({ tenantId: ctx.tenantId, workflowKey: 'quick', input: {}, trigger: { type: 'api' } }))
    .runId;
  await orphan(queued);
  const waiting = (
    await startRun({ tenantId: ctx.tenantId, workflowKey: 'sleepy', input: {}, trigger: { type: 'api' } })
  ).runId;
  workers.push(await startWorker({ url: t.url }));
  await until(
    'the sleepy run to wait on its delay',
    async () =>
      (await t.db.selectFrom('runs').select('status').where('id', '=', waiting).executeTakeFirstOrThrow()).status ===
      'WAITING',
    { timeoutMs: 30_000 },
  );
  // Its timer came due, a worker claimed it for that, and died before writing anything.
  await t.db
    .updateTable('run_waits')
    .set({ resume_at: sql`now()` })
    .where('run_id', '=', waiting)
    .where('status', '=', 'open')
    .execute();
  await orphan(waiting);

  await untilAllTerminal(t.db, [queued, waiting], 30_000);
  const runs = await t.db
    .selectFrom('runs')
    .select(['id', 'status', 'lease_owner'])
    .where('id', 'in', [queued, waiting])
    .orderBy('created_at')
    .execute();
  expect(runs.map((run) => [run.status, run.lease_owner])).toEqual([
    ['SUCCEEDED', null],
    ['SUCCEEDED', null],
  ]);
}, 90_000);
