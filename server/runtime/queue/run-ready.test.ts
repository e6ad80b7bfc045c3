import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { setDb } from '@/server/db/database';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import {
  ADVANCE_QUEUE,
  RUN_READY_CHANNEL,
  RUN_READY_MAX,
  closeQueue,
  getQueue,
} from '@/server/runtime/queue/run-queue';
import { claimRun } from '@/server/runtime/run-store/claim-run';
import { insertRuns, type TNewRun } from '@/server/runtime/run-store/insert-run';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import { parseReadyNotice } from '@/worker/run-ready-listener';

/**
 * The direct wake-up (ARCHITECTURE "Starting a run"): a start names its job and run on
 * RUN_READY_CHANNEL, and a worker takes the job with the claim, in one statement, so pg-boss's
 * fetch and a worker never both act on one job.
 */

let t: TTestDatabase;
let ctx: TAuthContext;
let listener: pg.Client;
let notices: string[] = [];
let bossNotices = 0;

beforeAll(async () => {
  t = await createTestDatabase('run_ready');
  process.env.DATABASE_URL = t.url;
  setDb(t.db);
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'one',
    document: { steps: [{ id: 'one', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
  });
  await getQueue();
  listener = new pg.Client({ connectionString: t.url });
  await listener.connect();
  const bossChannel = (
    await listener.query<{ channel: string }>(
      `SELECT ('pgboss_' || left(encode(sha224('pgboss'::bytea), 'hex'), 24)) AS channel`,
    )
  ).rows[0]!.channel;
  listener.on('notification', (message) => {
    if (message.channel === RUN_READY_CHANNEL) notices.push(message.payload ?? '');
    else if (message.channel === bossChannel) bossNotices++;
  });
  await listener.query(`LISTEN ${RUN_READY_CHANNEL}`);
  await listener.query(`LISTEN "${bossChannel}"`);
});
afterAll(async () => {
  await listener.end();
  await closeQueue();
  await closeExpressionPool();
  await t.close();
});

const start = async () =>
  (await startRun({ tenantId: ctx.tenantId, workflowKey: 'one', input: {}, trigger: { type: 'api' } })).runId;

async function jobOf(runId: string) {
  const rows = await sql<{
    id: string;
    state: string;
  }>`SELECT id, state FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId}`.execute(t.db);
  return rows.rows;
}

async function noticeFor(runId: string): Promise<{ jobId: string; runId: string }> {
  for (let i = 0; i < 200; i++) {
    const found = notices.flatMap((payload) => parseReadyNotice(payload)).find((job) => job.runId === runId);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no notice named run ${runId}`);
}

describe('a start names its job to the workers', () => {
  it("on RUN_READY_CHANNEL, with the job id the queue holds, and does not wake pg-boss's fetch loops", async () => {
    notices = [];
    bossNotices = 0;
    const runId = await start();
    const named = await noticeFor(runId);
    expect(await jobOf(runId)).toEqual([{ id: named.jobId, state: 'created' }]);
    expect(bossNotices).toBe(0);
  });

  it("names at most RUN_READY_MAX jobs per notice, and wakes pg-boss's fetch loops for a larger batch", async () => {
    notices = [];
    bossNotices = 0;
    const run = await t.db
      .selectFrom('runs')
      .select(['workflow_id', 'version_id'])
      .where('workflow_key', '=', 'one')
      .executeTakeFirstOrThrow();
    const runs: TNewRun[] = Array.from({ length: RUN_READY_MAX + 5 }, () => ({
      id: crypto.randomUUID(),
      tenantId: ctx.tenantId,
      workflowId: run.workflow_id,
      workflowKey: 'one',
      versionId: run.version_id,
      version: 1,
      input: {},
      trigger: { type: 'api' },
      parent: null,
      idempotencyKey: null,
    }));
    const written = await insertRuns(t.db, runs);
    expect(written.size).toBe(RUN_READY_MAX + 5);
    for (let i = 0; i < 200 && (notices.length === 0 || bossNotices === 0); i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(notices).toHaveLength(1);
    expect(parseReadyNotice(notices[0])).toHaveLength(RUN_READY_MAX);
    expect(bossNotices).toBe(1);
    await sql`DELETE FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ANY(${runs.map((r) => r.id)}::text[])`.execute(
      t.db,
    );
  });
});

describe('a worker that takes a named job', () => {
  it('takes the job off the queue and claims the run in one statement', async () => {
    notices = [];
    const runId = await start();
    const named = await noticeFor(runId);
    const claimed = await claimRun({ db: t.db, runId, workerId: 'direct-worker', jobId: named.jobId });
    expect(claimed?.id).toBe(runId);
    expect(await jobOf(runId)).toEqual([{ id: named.jobId, state: 'completed' }]);
    // pg-boss's fetch finds nothing left for this run.
    const fetched = await (await getQueue()).fetch<{ runId: string }>(ADVANCE_QUEUE, { batchSize: 500 });
    expect(fetched.map((job) => job.data.runId)).not.toContain(runId);
  });

  it('claims nothing, and leaves no wake-up behind, when pg-boss fetched the job first', async () => {
    notices = [];
    const runId = await start();
    const named = await noticeFor(runId);
    const fetched = await (await getQueue()).fetch<{ runId: string }>(ADVANCE_QUEUE, { batchSize: 500 });
    expect(fetched.map((job) => job.id)).toContain(named.jobId);
    expect(await claimRun({ db: t.db, runId, workerId: 'late-worker', jobId: named.jobId })).toBeNull();
    const row = await t.db
      .selectFrom('runs')
      .select(['lease_owner', 'wake_requested', 'fence'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ lease_owner: null, wake_requested: false, fence: '0' });
    // The worker that fetched it claims it as before.
    expect((await claimRun({ db: t.db, runId, workerId: 'fetching-worker' }))?.id).toBe(runId);
  });

  it('claims nothing when another worker took the job: one claim per job', async () => {
    notices = [];
    const runId = await start();
    const named = await noticeFor(runId);
    const [a, b] = await Promise.all([
      claimRun({ db: t.db, runId, workerId: 'worker-a', jobId: named.jobId }),
      claimRun({ db: t.db, runId, workerId: 'worker-b', jobId: named.jobId }),
    ]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    const row = await t.db
      .selectFrom('runs')
      .select(['fence', 'wake_requested'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ fence: '1', wake_requested: false });
  });
});

describe('a run that starts and ends in one pass', () => {
  it('sends itself no second job when it ends (its finishing commit is one statement)', async () => {
    const runId = await start();
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(await jobOf(runId)).toHaveLength(1);
  });
});

describe('parseReadyNotice', () => {
  it('reads job and run ids, and skips what is not a pair of uuids', () => {
    const job = '6f1c2d9e-1111-4a2b-8c3d-000000000001';
    const run = '6f1c2d9e-2222-4a2b-8c3d-000000000002';
    expect(parseReadyNotice(`${job}:${run},nonsense,${job}:not-a-uuid,`)).toEqual([{ jobId: job, runId: run }]);
    expect(parseReadyNotice(undefined)).toEqual([]);
  });
});
