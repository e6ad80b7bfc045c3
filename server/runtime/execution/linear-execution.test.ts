import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { checkRunInvariants, startReceiver, type TReceiver } from '@/test/faults/fault-harness';
import { clearFaultPoints, onFaultPoint } from '@/server/runtime/fault-points';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

// SPEC §7.8: a run's stored execution grows linearly with the steps it has done. A forEach kept
// every finished iteration's result inside `runs.execution`, which every commit rewrites whole,
// so a loop of N calls (each flushing a commit before its call) wrote O(N²) bytes.
let t: TTestDatabase;
let ctx: TAuthContext;
let receiver: TReceiver;
beforeAll(async () => {
  t = await createTestDatabase('linear_execution');
  process.env.DATABASE_URL = t.url;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  receiver = await startReceiver();
  // The size of every execution written, one row per UPDATE of it (each commit is one).
  await sql`CREATE TABLE execution_writes (id bigserial PRIMARY KEY, run_id uuid NOT NULL, bytes int NOT NULL)`.execute(
    t.db,
  );
  await sql`CREATE FUNCTION log_execution_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO execution_writes (run_id, bytes) VALUES (NEW.id, octet_length(NEW.execution::text));
      RETURN NULL;
    END $$`.execute(t.db);
  await sql`CREATE TRIGGER log_execution_write AFTER UPDATE OF execution ON runs FOR EACH ROW EXECUTE FUNCTION log_execution_write()`.execute(
    t.db,
  );
});
afterEach(() => clearFaultPoints());
afterAll(async () => {
  await closeExpressionPool();
  await receiver.close();
  await t.close();
});

const call = (id: string) => ({
  id,
  type: 'action.call',
  config: {
    action: 'http.request',
    version: 1,
    input: { method: 'POST', url: `${receiver.url}/each`, body: { item: { $expr: '$item' } } },
    saveAs: 'vars.response',
  },
});

async function start(key: string, steps: unknown[], output: unknown = { $expr: 'vars.out' }): Promise<string> {
  await publishWorkflow({ db: t.db, ctx, key, document: { steps: steps as never, output } });
  return (await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } })).runId;
}

async function outputOf(runId: string): Promise<unknown> {
  return (await t.db.selectFrom('runs').select('output').where('id', '=', runId).executeTakeFirstOrThrow()).output;
}

async function writesOf(runId: string): Promise<number[]> {
  const rows = await sql<{
    bytes: number;
  }>`SELECT bytes FROM execution_writes WHERE run_id = ${runId} ORDER BY id`.execute(t.db);
  return rows.rows.map((row) => row.bytes);
}

/** Step paths of a forEach at `steps[0]` over `n` items, each running `inner` (step ids) in its pipe. */
const iterationPaths = (n: number, inner: number) =>
  Array.from({ length: n }, (_, i) =>
    Array.from({ length: inner }, (_, k) => `steps[0]#${i}.config.steps[${k}]`),
  ).flat();

it('a forEach of N calls writes an execution per commit that does not grow with the iterations done (N = 50, 100, 200)', async () => {
  const measured: Record<number, { commits: number; total: number; largest: number; first: number }> = {};
  for (const n of [50, 100, 200]) {
    // collect defaults to the iteration's vars: here each holds the call's whole response.
    const runId = await start(
      `bytes-${n}`,
      [
        {
          id: 'each',
          type: 'control.forEach',
          config: { items: { $expr: `[1..${n}]` }, saveAs: 'vars.out', steps: [call('call')] },
        },
      ],
      { $expr: '$count(vars.out)' },
    );
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(await outputOf(runId)).toBe(n);
    const writes = await writesOf(runId);
    // The last commit saves the block's results at `saveAs` (the run's vars): that one is O(N) by design.
    const inLoop = writes.slice(0, -1);
    measured[n] = {
      commits: writes.length,
      total: writes.reduce((a, b) => a + b, 0),
      largest: Math.max(...inLoop),
      first: inLoop[1] ?? 0,
    };
  }
  console.log(`execution bytes written per run: ${JSON.stringify(measured)}`);
  // Within a run, a commit late in the loop is no bigger than one early in it (give or take the digits of an index).
  for (const n of [50, 100, 200]) expect(measured[n]!.largest, `N = ${n}`).toBeLessThan(measured[n]!.first * 1.2);
  // Across runs, what grows with N is only the items list, evaluated once and kept in the
  // execution (`[1, 2, …]`: under 8 bytes an item); the results were ~360 bytes an item.
  expect((measured[200]!.largest - measured[50]!.largest) / 150).toBeLessThan(8);
}, 120_000);

it('results stay in item order with concurrency above 1 and iterations finishing across passes', async () => {
  // Later items wait less, so they finish first; each wait ends the pass.
  const runId = await start('order', [
    {
      id: 'each',
      type: 'control.forEach',
      config: {
        items: { $expr: '[1..9]' },
        concurrency: 4,
        collect: { $expr: "{'item': $item, 'index': $index}" },
        saveAs: 'vars.out',
        steps: [{ id: 'nap', type: 'time.delay', config: { durationMs: { $expr: '(10 - $item) * 5' } } }],
      },
    },
  ]);
  expect(await driveRun({ db: t.db, runId, maxPasses: 100 })).toBe('SUCCEEDED');
  expect(await outputOf(runId)).toEqual(Array.from({ length: 9 }, (_, i) => ({ item: i + 1, index: i })));
  expect(await checkRunInvariants(t.db, [runId], ['steps[0]', ...iterationPaths(9, 1)])).toEqual({
    badSteps: [],
    badSeqs: [],
  });
});

it('onItemError continue: failed items are null in the results, the others in order, across passes', async () => {
  const runId = await start('continue', [
    {
      id: 'each',
      type: 'control.forEach',
      config: {
        items: { $expr: '[1..7]' },
        concurrency: 3,
        onItemError: 'continue',
        collect: { $expr: '$item * 10' },
        saveAs: 'vars.out',
        steps: [
          { id: 'nap', type: 'time.delay', config: { durationMs: 5 } },
          {
            id: 'check',
            type: 'control.if',
            config: {
              condition: { $expr: '$item % 3 = 0' },
              then: [{ id: 'boom', type: 'control.fail', config: { code: 'BOOM', message: 'a third' } }],
            },
          },
        ],
      },
    },
  ]);
  expect(await driveRun({ db: t.db, runId, maxPasses: 100 })).toBe('SUCCEEDED');
  expect(await outputOf(runId)).toEqual([10, 20, null, 40, 50, null, 70]);
});

it('a nested forEach keeps each level in order, inner iterations finishing across passes', async () => {
  const runId = await start('nested', [
    {
      id: 'outer',
      type: 'control.forEach',
      config: {
        items: { $expr: '[1..4]' },
        concurrency: 2,
        collect: { $expr: 'vars.inner' },
        saveAs: 'vars.out',
        steps: [
          {
            id: 'inner',
            type: 'control.forEach',
            config: {
              items: { $expr: '[1..3]' },
              concurrency: 2,
              collect: { $expr: '$item * 10' },
              saveAs: 'vars.inner',
              steps: [{ id: 'nap', type: 'time.delay', config: { durationMs: { $expr: '(4 - $item) * 5' } } }],
            },
          },
          {
            id: 'add',
            type: 'transform.assign',
            config: { assign: { 'vars.inner': { $expr: `$map(vars.inner, function($v) { $v + $item })` } } },
          },
        ],
      },
    },
  ]);
  expect(await driveRun({ db: t.db, runId, maxPasses: 200 })).toBe('SUCCEEDED');
  expect(await outputOf(runId)).toEqual([1, 2, 3, 4].map((o) => [10 + o, 20 + o, 30 + o]));
});

it('a pass that dies mid-loop: the next one finishes it, every result in order, one success per step path', async () => {
  const n = 12;
  const runId = await start('crash', [
    {
      id: 'each',
      type: 'control.forEach',
      config: {
        items: { $expr: `[1..${n}]` },
        concurrency: 3,
        collect: { $expr: '$item' },
        saveAs: 'vars.out',
        steps: [call('call'), { id: 'mark', type: 'transform.assign', config: { assign: { 'vars.seen': true } } }],
      },
    },
  ]);
  let calls = 0;
  onFaultPoint('step.beforeExecute', ({ stepId }) => {
    // After several iterations have ended and been committed: the worker dies.
    if (stepId === 'call' && ++calls === 8) throw new Error('simulated crash mid-loop');
  });
  await expect(driveRun({ db: t.db, runId, maxPasses: 1 })).rejects.toThrow(/simulated crash/);
  clearFaultPoints();
  // Some iterations' results were committed before the crash, outside the execution.
  await t.db
    .updateTable('runs')
    .set({ lease_expires_at: sql`now() - interval '1 second'` })
    .where('id', '=', runId)
    .execute();
  expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
  expect(await outputOf(runId)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect(await checkRunInvariants(t.db, [runId], ['steps[0]', ...iterationPaths(n, 2)])).toEqual({
    badSteps: [],
    badSeqs: [],
  });
});
