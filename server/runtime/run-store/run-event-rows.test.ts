import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { exportRun } from '@/server/runs/export-run';
import { listRunEvents, readRunEvents, type TRunEventRecord } from '@/server/runs/list-run-events';
import { streamRunEvents } from '@/server/runs/stream-run-events';
import { answerTask } from '@/test/runtime-fixtures/resolve-waits';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import { MIGRATIONS } from '@/migrations';
import { rewriteRunPaths } from '@/server/runtime/run-store/rewrite-run-paths';

// A commit's events are stored as one row (run_event_rows.events); rows stored before, one event
// each, stay as they are. Whatever mix a run has, its log reads the same everywhere.

let t: TTestDatabase;
let tenant: Awaited<ReturnType<typeof createTenantWithMember>>;

const echo = (id: string) => ({
  id,
  type: 'action.call',
  config: { action: 'core.echo', version: 1, input: { id } },
});
const assign = (id: string) => ({ id, type: 'transform.assign', config: { assign: { [`vars.${id}`]: 1 } } });

beforeAll(async () => {
  t = await createTestDatabase('run_event_rows');
  process.env.DATABASE_URL = t.url;
  tenant = await createTenantWithMember({ db: t.db, role: 'admin' });
  const steps = Array.from({ length: 10 }, (_, i) => (i % 2 ? echo(`echo${i}`) : assign(`add${i}`)));
  await publishWorkflow({ db: t.db, ctx: tenant.ctx, key: 'ten', document: { steps } });
  await publishWorkflow({
    db: t.db,
    ctx: tenant.ctx,
    key: 'asks',
    document: {
      steps: [
        assign('a1'),
        echo('e1'),
        {
          id: 'ask',
          type: 'human.task',
          config: { title: 'Look', form: { type: 'object' }, outcomes: ['ok'], assignee: { role: 'admin' } },
        },
        assign('a2'),
        echo('e2'),
      ],
    },
  });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function runToEnd(workflowKey: string): Promise<string> {
  const { runId } = await startRun({
    tenantId: tenant.tenantId,
    workflowKey,
    input: { i: 1 },
    trigger: { type: 'api' },
  });
  let status = await driveRun({ db: t.db, runId });
  if (status === 'WAITING') {
    const answer = { stepId: 'ask', outcome: 'ok', data: {} };
    await answerTask({ db: t.db, tenantId: tenant.tenantId, completedBy: tenant.email, answer });
    status = await driveRun({ db: t.db, runId });
  }
  expect(status).toBe('SUCCEEDED');
  return runId;
}

const storedRows = async (runId: string) =>
  (
    await sql<{ seq: number; n: number | null }>`
      SELECT seq, jsonb_array_length(events) AS n FROM run_event_rows WHERE run_id = ${runId} ORDER BY seq`.execute(
      t.db,
    )
  ).rows;

/** Stores the batch row starting at `seq` as rows were stored before: one event each, in its columns. */
async function storeAsSingleEvents(runId: string, seq: number): Promise<void> {
  await t.db.transaction().execute(async (tx) => {
    await sql`
      INSERT INTO run_event_rows (run_id, seq, tenant_id, type, step_id, at, data)
      SELECT b.run_id, b.seq + e.i::int - 1, b.tenant_id, e.v->>'type', e.v->>'stepId', (e.v->>'at')::timestamptz, e.v->'data'
        FROM run_event_rows b CROSS JOIN LATERAL jsonb_array_elements(b.events) WITH ORDINALITY AS e(v, i)
       WHERE b.run_id = ${runId} AND b.seq = ${seq} AND e.i > 1`.execute(tx);
    await sql`
      UPDATE run_event_rows SET type = events->0->>'type', step_id = events->0->>'stepId',
        at = (events->0->>'at')::timestamptz, data = events->0->'data', events = NULL
       WHERE run_id = ${runId} AND seq = ${seq}`.execute(tx);
  });
}

async function pagesOf(runId: string, limit: number, after = 0): Promise<TRunEventRecord[]> {
  const events: TRunEventRecord[] = [];
  for (let page = await readRunEvents(t.db, runId, after, limit); page.length;) {
    events.push(...page);
    if (page.length < limit) break;
    page = await readRunEvents(t.db, runId, page[page.length - 1]!.seq, limit);
  }
  return events;
}

async function streamed(runId: string, after: number): Promise<TRunEventRecord[]> {
  const response = await streamRunEvents({ db: t.db, ctx: tenant.ctx, input: { id: runId, after } });
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice('data: '.length)) as TRunEventRecord);
}

it('a 10-step pure run stores its 23 events in two rows: the queueing and the final commit', async () => {
  const runId = await runToEnd('ten');
  expect(await storedRows(runId)).toEqual([
    { seq: 1, n: null },
    { seq: 2, n: 22 },
  ]);
  const { items } = await listRunEvents({ db: t.db, ctx: tenant.ctx, input: { id: runId } });
  expect(items.map((e) => e.seq)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
  expect(items.map((e) => e.type)).toEqual([
    'run.queued',
    'run.started',
    ...Array.from({ length: 10 }, () => ['step.started', 'step.succeeded']).flat(),
    'run.succeeded',
  ]);
  expect(items[2]).toMatchObject({ type: 'step.started', stepId: 'add0', data: { path: 'steps[0]', attempt: 1 } });
  expect(items[1]).not.toHaveProperty('stepId');
  for (const event of items) expect(event.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

it('a run whose rows are batches, single events and rows stored before reads the same through the API, SSE and export, from any seq', async () => {
  const runId = await runToEnd('asks');
  const stored = await storedRows(runId);
  // queued; the first pass up to the task; the answer and the wake-up; the pass to the end.
  expect(stored.map((row) => row.n === null)).toEqual([true, false, true, true, false]);
  const asStored = await pagesOf(runId, 1000);
  const seqs = asStored.map((e) => e.seq);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  expect(asStored.filter((e) => e.type === 'task.completed')).toHaveLength(1);

  // The first batch as main stored it, the last left as a batch: one run, both kinds.
  await storeAsSingleEvents(runId, stored[1]!.seq);
  const mixed = await storedRows(runId);
  expect(mixed.filter((row) => row.n === null).length).toBe(stored[1]!.n! + 3);
  expect(await pagesOf(runId, 1000)).toEqual(asStored);

  // `after` anywhere (inside a batch included), pages of any size, as the API and the stream read them.
  const lastBatch = stored[4]!;
  for (const after of [0, 1, 2, 3, lastBatch.seq - 1, lastBatch.seq, lastBatch.seq + 1, lastBatch.seq + 3, seqs.length])
    expect(await readRunEvents(t.db, runId, after, 1000), `after=${after}`).toEqual(asStored.slice(after));
  for (const limit of [1, 2, 3, 7]) expect(await pagesOf(runId, limit), `limit=${limit}`).toEqual(asStored);
  expect(await pagesOf(runId, 2, lastBatch.seq + 1)).toEqual(asStored.slice(lastBatch.seq + 1));
  const page = await listRunEvents({ db: t.db, ctx: tenant.ctx, input: { id: runId, after: lastBatch.seq, limit: 2 } });
  expect(page.items).toEqual(asStored.slice(lastBatch.seq, lastBatch.seq + 2));
  expect(page.nextAfter).toBe(lastBatch.seq + 2);

  expect(await streamed(runId, lastBatch.seq + 1)).toEqual(asStored.slice(lastBatch.seq + 1));
  expect(await streamed(runId, 0)).toEqual(asStored);
  const exported = await exportRun({ db: t.db, ctx: tenant.ctx, input: { id: runId } });
  expect(exported.events).toEqual(asStored);
});

it('the migration goes down (every batch back to a row per event) and up again with the log unchanged, as bench 7d alternates it', async () => {
  const runId = await runToEnd('ten');
  const before = await pagesOf(runId, 1000);
  const migration = MIGRATIONS['20270105000000_run_event_batches']!;
  await migration.down!(t.db);
  const rows = await sql<{ seq: number; type: string; step_id: string | null; at: Date; data: unknown }>`
    SELECT seq, type, step_id, at, data FROM run_events WHERE run_id = ${runId} ORDER BY seq`.execute(t.db);
  expect(
    rows.rows.map((r) => ({ seq: r.seq, type: r.type, stepId: r.step_id, at: r.at.toISOString(), data: r.data })),
  ).toEqual(before.map((e) => ({ ...e, stepId: e.stepId ?? null })));
  await migration.up(t.db);
  expect(await pagesOf(runId, 1000)).toEqual(before);
  expect(await runToEnd('ten')).toBeTruthy();
});

it("a migration's path rewrite renames data.path in batches and in single rows alike, and nothing else", async () => {
  const runId = await runToEnd('asks');
  // The first pass's batch as main stored it; the last pass's stays a batch.
  await storeAsSingleEvents(runId, (await storedRows(runId))[1]!.seq);
  const before = await pagesOf(runId, 1000);
  const moved: Record<string, string> = { 'steps[0]': 'steps[9]', 'steps[3]': 'steps[8]' };
  await t.db
    .transaction()
    .execute((tx) => rewriteRunPaths(tx, { runId, fromVersion: 1, translate: (path) => moved[path] ?? path }));
  const after = await pagesOf(runId, 1000);
  const pathOf = (e: TRunEventRecord) => (e.data as { path?: string }).path;
  expect(after).toEqual(
    before.map((e) =>
      moved[pathOf(e) ?? ''] ? { ...e, data: { ...(e.data as object), path: moved[pathOf(e)!] } } : e,
    ),
  );
  expect(after.filter((e) => pathOf(e) === 'steps[9]')).toHaveLength(2);
  expect(after.filter((e) => pathOf(e) === 'steps[8]')).toHaveLength(2);
});

it("the previous release's writes into run_events (a worker still running while a deploy migrates) land as single-event rows", async () => {
  const runId = await runToEnd('ten');
  const before = await pagesOf(runId, 1000);
  const at = new Date('2026-12-07T10:00:00.123Z');
  // As main's commit statement wrote a batch: an INSERT … SELECT into run_events in a CTE.
  await sql`
    WITH e AS (
      INSERT INTO run_events (run_id, seq, tenant_id, type, step_id, at, data)
      SELECT ${runId}, ${before.length} + x.i, ${tenant.tenantId}, x.type, x.step_id, x.at, x.data
        FROM jsonb_to_recordset(${JSON.stringify([
          { i: 1, type: 'step.started', step_id: 'add0', at: at.toISOString(), data: { path: 'steps[0]', attempt: 2 } },
          {
            i: 2,
            type: 'step.succeeded',
            step_id: 'add0',
            at: at.toISOString(),
            data: { path: 'steps[0]', attempt: 2 },
          },
        ])}::jsonb) AS x(i int, type text, step_id text, at timestamptz, data jsonb))
    SELECT 1`.execute(t.db);
  const stored = await storedRows(runId);
  expect(stored.slice(-2)).toEqual([
    { seq: before.length + 1, n: null },
    { seq: before.length + 2, n: null },
  ]);
  const data = { path: 'steps[0]', attempt: 2 };
  expect((await pagesOf(runId, 1000)).slice(before.length)).toEqual([
    { seq: before.length + 1, type: 'step.started', stepId: 'add0', at: at.toISOString(), data },
    { seq: before.length + 2, type: 'step.succeeded', stepId: 'add0', at: at.toISOString(), data },
  ]);
});
