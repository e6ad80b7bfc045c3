import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { startRun } from '@/server/runtime/start-run';
import { listRunSnapshots } from '@/server/runs/list-run-snapshots';
import { getStepSnapshot } from '@/server/runs/get-step-snapshot';
import { envelopeBeforeStep } from '@/server/workflows/envelope-before-step';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

/*
 * A snapshot is stored without what it shares with its run (storedSnapshot): the payload when
 * nothing of it was redacted, meta's runId, tenantId and workflowKey. Readers put them back, so
 * the API, the run page, test-a-step and pinned runs see whole envelopes, and rows stored whole
 * (before this, or redacted, or truncated) read as they are.
 */
let t: TTestDatabase;
let ctx: TAuthContext;
const PAYLOAD = { order: { id: 'o-1', lines: [1, 2, 3] }, note: 'x'.repeat(300) };

beforeAll(async () => {
  t = await createTestDatabase('stored_snapshot');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  const steps = [
    { id: 'one', type: 'transform.assign', config: { assign: { 'vars.a': 1 } } },
    { id: 'two', type: 'transform.assign', config: { assign: { 'vars.b': { $expr: 'payload.order.id' } } } },
    { id: 'three', type: 'transform.assign', config: { assign: { 'vars.c': 3 } } },
  ];
  await publishWorkflow({ db: t.db, ctx, key: 'plain', document: { steps } });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'redacting',
    document: { steps, settings: { redact: ['/payload/order/id'] } },
  });
});
afterAll(async () => {
  await t.close();
});

async function run(workflowKey: string): Promise<string> {
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey, input: PAYLOAD, trigger: { type: 'api' } });
  expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
  return runId;
}

async function storedRows(runId: string) {
  const rows = await sql<{ id: string; path: string; snapshot: Record<string, unknown>; text: string }>`
    SELECT id, path, snapshot, snapshot::text AS text FROM run_steps
     WHERE run_id = ${runId} AND snapshot IS NOT NULL ORDER BY id`.execute(t.db);
  return rows.rows;
}

it('stores a snapshot without the payload and run facts it shares with its run', async () => {
  const runId = await run('plain');
  const rows = await storedRows(runId);
  expect(rows).toHaveLength(3);
  for (const row of rows) {
    expect(row.snapshot).not.toHaveProperty('payload');
    expect(row.snapshot.meta).not.toHaveProperty('runId');
    expect(row.snapshot.meta).not.toHaveProperty('tenantId');
    expect(row.snapshot.meta).not.toHaveProperty('workflowKey');
    expect(row.text).not.toContain('x'.repeat(300));
  }
  expect(rows[2]!.snapshot).toMatchObject({ vars: { a: 1, b: 'o-1', c: 3 }, meta: { stepId: 'three', attempt: 1 } });
});

it('reads it back whole through the snapshots page, one step’s snapshot and test-a-step', async () => {
  const runId = await run('plain');
  const page = await listRunSnapshots({ db: t.db, ctx, input: { id: runId } });
  expect(page.items.map((item) => item.stepId)).toEqual(['one', 'two', 'three']);
  const last = page.items[2]!;
  expect(last.snapshot).toEqual({
    payload: PAYLOAD,
    vars: { a: 1, b: 'o-1', c: 3 },
    env: {},
    error: null,
    meta: {
      runId,
      tenantId: ctx.tenantId,
      workflowKey: 'plain',
      version: 1,
      stepId: 'three',
      attempt: 1,
      state: null,
      trigger: { type: 'api' },
      startedAt: expect.any(String),
    },
  });
  // jsonb's own key order, as a whole stored snapshot came back.
  expect(Object.keys(last.snapshot as object)).toEqual(['env', 'meta', 'vars', 'error', 'payload']);
  const one = await getStepSnapshot({ db: t.db, ctx, input: { id: runId, stepRecordId: last.stepRecordId } });
  expect(one?.snapshot).toEqual(last.snapshot);
  expect(one?.sizeBytes).toBe(Buffer.byteLength(JSON.stringify(last.snapshot)));
  const before = await envelopeBeforeStep({
    db: t.db,
    tenantId: ctx.tenantId,
    workflowKey: 'plain',
    runId,
    stepId: 'three',
  });
  expect(before.envelope).toEqual({ payload: PAYLOAD, vars: { a: 1, b: 'o-1' }, error: null, state: null });
});

it('keeps a redacted payload in the snapshot, and reads it redacted', async () => {
  const runId = await run('redacting');
  const rows = await storedRows(runId);
  for (const row of rows)
    expect(row.snapshot.payload).toEqual({ ...PAYLOAD, order: { id: '[redacted]', lines: [1, 2, 3] } });
  const page = await listRunSnapshots({ db: t.db, ctx, input: { id: runId } });
  expect(page.items[0]!.snapshot).toMatchObject({
    payload: { order: { id: '[redacted]' } },
    meta: { runId, workflowKey: 'redacting' },
  });
});

it('reads snapshots stored whole, and truncated ones, as they are', async () => {
  const runId = await run('plain');
  const [first, second] = await storedRows(runId);
  const whole = { payload: { other: true }, vars: {}, env: {}, error: null, meta: { runId: 'kept', stepId: 'one' } };
  const cut = { $truncated: true, originalBytes: 70000 };
  await sql`UPDATE run_steps SET snapshot = ${JSON.stringify(whole)}::jsonb WHERE id = ${first!.id}`.execute(t.db);
  await sql`UPDATE run_steps SET snapshot = ${JSON.stringify(cut)}::jsonb, snapshot_truncated = true WHERE id = ${second!.id}`.execute(
    t.db,
  );
  const page = await listRunSnapshots({ db: t.db, ctx, input: { id: runId } });
  expect(page.items[0]!.snapshot).toEqual(whole);
  expect(page.items[1]!.snapshot).toEqual(cut);
  expect(page.items[2]!.snapshot).toMatchObject({ payload: PAYLOAD, meta: { runId } });
});
