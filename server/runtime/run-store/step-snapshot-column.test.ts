import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { listRunSnapshots } from '@/server/runs/list-run-snapshots';
import { getStepSnapshot } from '@/server/runs/get-step-snapshot';
import { exportRun } from '@/server/runs/export-run';
import { envelopeBeforeStep } from '@/server/workflows/envelope-before-step';
import { loadPinnedRun } from '@/server/workflows/load-pinned-run';
import { replayVersion } from '@/server/workflows/replay-version';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import { recordsWithSnapshot, storeSnapshotsAsBefore } from '@/test/snapshots-as-before';

/*
 * A step's snapshot is stored in its own record (run_steps.snapshot, migration 20270104000000),
 * by the write that gives the record its final status: a pure step's insert, or the update of a
 * record inserted before (a step that waited, or called out). Records stored before keep their
 * run_snapshots rows, and every reader reads both kinds alike.
 */
let t: TTestDatabase;
let ctx: TAuthContext;
const PAYLOAD = { order: { id: 'o-1' } };

beforeAll(async () => {
  t = await createTestDatabase('step_snapshot_column');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  const steps = [
    { id: 'one', type: 'transform.assign', config: { assign: { 'vars.a': 1 } } },
    { id: 'pause', type: 'time.delay', config: { durationMs: 20 } },
    { id: 'two', type: 'transform.assign', config: { assign: { 'vars.b': { $expr: 'payload.order.id' } } } },
    { id: 'three', type: 'transform.assign', config: { assign: { 'vars.c': 3 } } },
  ];
  await publishWorkflow({ db: t.db, ctx, key: 'plain', document: { steps } });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function run(): Promise<string> {
  const { runId } = await startRun({
    tenantId: ctx.tenantId,
    workflowKey: 'plain',
    input: PAYLOAD,
    trigger: { type: 'api' },
  });
  expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
  return runId;
}

it('stores each snapshot in its step record, inserted or updated, and writes no run_snapshots row', async () => {
  const runId = await run();
  const records = await t.db
    .selectFrom('run_steps')
    .select(['step_id', 'status', 'snapshot', 'snapshot_truncated', 'snapshot_size_bytes'])
    .where('run_id', '=', runId)
    .orderBy('started_at')
    .execute();
  expect(records.map((r) => [r.step_id, r.status])).toEqual([
    ['one', 'SUCCEEDED'],
    ['pause', 'SUCCEEDED'],
    ['two', 'SUCCEEDED'],
    ['three', 'SUCCEEDED'],
  ]);
  for (const record of records) {
    expect(record.snapshot).toMatchObject({ meta: { stepId: record.step_id } });
    expect(record.snapshot_truncated).toBe(false);
    expect(record.snapshot_size_bytes).toBeGreaterThan(JSON.stringify(record.snapshot).length);
  }
  // The delay's record was inserted by the pass that began the wait and finished by the next one.
  expect(records[1]!.snapshot).toMatchObject({ vars: { a: 1 }, meta: { stepId: 'pause' } });
  const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM run_snapshots WHERE run_id = ${runId}`.execute(
    t.db,
  );
  expect(rows.rows[0]!.n).toBe(0);
});

it('reads records stored before (run_snapshots rows), alone or beside new ones, the same through every reader', async () => {
  const runId = await run();
  const read = async () => {
    const page = await listRunSnapshots({ db: t.db, ctx, input: { id: runId } });
    const second = page.items[1]!.stepRecordId;
    return {
      page,
      one: await getStepSnapshot({ db: t.db, ctx, input: { id: runId, stepRecordId: second } }),
      paged: await listRunSnapshots({ db: t.db, ctx, input: { id: runId, limit: 2 } }),
      fromRun: await envelopeBeforeStep({
        db: t.db,
        tenantId: ctx.tenantId,
        workflowKey: 'plain',
        runId,
        stepId: 'three',
      }),
      pinned: await loadPinnedRun({ db: t.db, ctx, input: { key: 'plain', runId } }),
      exported: { ...(await exportRun({ db: t.db, ctx, input: { id: runId } })), exportedAt: null },
      replayed: await replayVersion({ db: t.db, ctx, input: { key: 'plain', version: 1, body: { runIds: [runId] } } }),
    };
  };
  const now = await read();
  expect(now.page.items.map((item) => item.stepId)).toEqual(['one', 'pause', 'two', 'three']);
  expect(now.one?.snapshot).toMatchObject({ payload: PAYLOAD, vars: { a: 1 }, meta: { runId, stepId: 'pause' } });
  expect(now.fromRun.envelope).toEqual({ payload: PAYLOAD, vars: { a: 1, b: 'o-1' }, error: null, state: null });
  expect(now.exported.snapshots).toHaveLength(4);

  const [first, second] = now.page.items;
  expect(await storeSnapshotsAsBefore(t.db, runId, [first!.stepRecordId, second!.stepRecordId])).toBe(2);
  expect(await read()).toEqual(now);
  expect(await storeSnapshotsAsBefore(t.db, runId)).toBe(2);
  expect(await read()).toEqual(now);
  expect(await recordsWithSnapshot(t.db, runId)).toEqual([]);
});
