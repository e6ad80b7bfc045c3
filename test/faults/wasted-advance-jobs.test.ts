import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { advanceRun } from '@/server/runtime/advance-run';
import { clearFaultPoints, onFaultPoint } from '@/server/runtime/fault-points';
import { LeaseKeeper } from '@/server/runtime/run-store/lease-keeper';
import { ADVANCE_QUEUE } from '@/server/runtime/queue/run-queue';
import { oldestHeldRun } from '@/server/runtime/run-store/end-run-effects';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import { startReceiver, type TReceiver } from '@/test/faults/fault-harness';

/**
 * Advance jobs are the workers' whole to-do list: a job for a run that has already ended is a
 * fetch, a claim and a completion spent on nothing. A run that ends in the pass its first job
 * starts should cost that one job; a run waiting for a slot under its limits still gets the
 * job a finishing run hands on (SPEC §7.5).
 */
let t: TTestDatabase;
let receiver: TReceiver | null = null;
let editor: TAuthContext;
beforeAll(async () => {
  t = await createTestDatabase('wasted_advance_jobs');
  process.env.DATABASE_URL = t.url;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  editor = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
});
afterEach(async () => {
  clearFaultPoints();
  await receiver?.close();
  receiver = null;
});
afterAll(async () => {
  await t.close();
});

const start = (key: string) =>
  startRun({ tenantId: editor.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });

/** Every advance job ever sent for each run (taken ones included: pg-boss keeps them an hour). */
async function jobsPerRun(runIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await sql<{ run_id: string; n: number }>`
    SELECT data->>'runId' AS run_id, count(*)::int AS n FROM pgboss.job
     WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ANY(${runIds as string[]})
     GROUP BY 1`.execute(t.db);
  return new Map(runIds.map((id) => [id, rows.rows.find((row) => row.run_id === id)?.n ?? 0]));
}

/** Takes the runs' due jobs off the queue as pg-boss's fetch would, and advances each run once per job. */
async function workOffJobs(runIds: readonly string[]): Promise<{ passes: number }> {
  const workerId = `queue-${randomUUID().slice(0, 8)}`;
  const leases = new LeaseKeeper(t.db, workerId, () => {});
  let passes = 0;
  for (let round = 0; round < 20; round++) {
    const jobs = await sql<{ run_id: string }>`
      UPDATE pgboss.job SET state = 'completed', started_on = now(), completed_on = now()
       WHERE name = ${ADVANCE_QUEUE} AND state = 'created' AND start_after <= now() AND data->>'runId' = ANY(${runIds as string[]})
       RETURNING data->>'runId' AS run_id`.execute(t.db);
    if (jobs.rows.length === 0) return { passes };
    for (const job of jobs.rows) {
      await advanceRun({ db: t.db, runId: job.run_id, workerId, leases });
      passes++;
    }
  }
  throw new Error('the runs kept getting jobs');
}

it('a run of 12 steps (pure steps and durable calls) is sent one job in all, and no other job is left for it once it ended', async () => {
  receiver = await startReceiver({});
  const call = (id: string) => ({
    id,
    type: 'action.call',
    config: { action: 'http.request', version: 1, input: { method: 'POST', url: `${receiver!.url}/${id}` } },
  });
  const assign = (id: string) => ({ id, type: 'transform.assign', config: { assign: { [`vars.${id}`]: true } } });
  const steps = [0, 1, 2, 3].flatMap((i) => [assign(`a${i}`), call(`c${i}`), assign(`b${i}`)]);
  await publishWorkflow({ db: t.db, ctx: editor, key: 'twelve-steps', document: { steps } });
  const { runId } = await start('twelve-steps');
  expect(await workOffJobs([runId])).toEqual({ passes: 1 });
  const run = await t.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow();
  expect(run.status).toBe('SUCCEEDED');
  expect(receiver.deliveries).toHaveLength(4);
  expect(await jobsPerRun([runId])).toEqual(new Map([[runId, 1]]));
});

it('a run finishing while other runs of its workflow (no limits) are in hand in their first pass sends them no job', async () => {
  const assign = (id: string) => ({ id, type: 'transform.assign', config: { assign: { [`vars.${id}`]: true } } });
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'side-by-side',
    document: { steps: [assign('a'), assign('b')] },
  });
  const { runId: early } = await start('side-by-side');
  const { runId: late } = await start('side-by-side');
  await sql`UPDATE pgboss.job SET state = 'completed' WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ANY(${[early, late]})`.execute(
    t.db,
  );
  // The older run is claimed (QUEUED, leased, fence 1) and held inside its pass, as a worker
  // with runs in hand interleaves them, while the newer one runs to its end.
  let inPass!: () => void;
  const claimed = new Promise<void>((resolve) => (inPass = resolve));
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  onFaultPoint('step.beforeExecute', async ({ runId }) => {
    if (runId !== early) return;
    inPass();
    await held;
  });
  const workerId = `in-hand-${randomUUID().slice(0, 8)}`;
  const leases = new LeaseKeeper(t.db, workerId, () => {});
  const first = advanceRun({ db: t.db, runId: early, workerId, leases });
  await claimed;
  const row = await t.db
    .selectFrom('runs')
    .select(['status', 'fence'])
    .where('id', '=', early)
    .executeTakeFirstOrThrow();
  expect(row).toMatchObject({ status: 'QUEUED', fence: '1' });
  await advanceRun({ db: t.db, runId: late, workerId, leases });
  release();
  await first;
  const runs = await t.db.selectFrom('runs').select(['id', 'status']).where('id', 'in', [early, late]).execute();
  expect(runs.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  expect(await jobsPerRun([early, late])).toEqual(
    new Map([
      [early, 1],
      [late, 1],
    ]),
  );
});

it('a run being admitted under its version limits (QUEUED, leased) is still the one a finishing run hands its slot to', async () => {
  const assign = { id: 'a', type: 'transform.assign', config: { assign: { 'vars.a': 1 } } };
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'limited',
    document: { settings: { maxConcurrentRuns: 2 }, steps: [assign] },
  });
  await publishWorkflow({ db: t.db, ctx: editor, key: 'unlimited', document: { steps: [assign] } });
  const { runId: limited } = await start('limited');
  const { runId: unlimited } = await start('unlimited');
  await sql`UPDATE runs SET fence = 1, lease_owner = 'a-worker', lease_expires_at = now() + interval '10 seconds' WHERE id = ANY(${[limited, unlimited]})`.execute(
    t.db,
  );
  const held = async (runId: string) => {
    const run = await t.db.selectFrom('runs').select('workflow_id').where('id', '=', runId).executeTakeFirstOrThrow();
    return (await oldestHeldRun(run.workflow_id, null).execute(t.db)).rows.map((row) => row.id);
  };
  expect(await held(limited)).toEqual([limited]);
  expect(await held(unlimited)).toEqual([]);
});
