import { sql } from 'kysely';
import { assertNever } from '@/model/errors';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import type { TBlockState, TPipeCursor } from '@/server/runtime/execution/execution-state';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startReceiver, type TReceiver } from '@/test/faults/fault-harness';
import { startRun } from '@/server/runtime/start-run';
import { clearFaultPoints, onFaultPoint } from '@/server/runtime/fault-points';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

// Concurrent lanes (parallel branches, forEach iterations) share one writer. These pin what a
// commit made by one lane may contain about another, and what happens to the others when one
// lane throws.
let t: TTestDatabase;
let ctx: TAuthContext;
let receiver: TReceiver | null = null;
beforeAll(async () => {
  t = await createTestDatabase('concurrent_lanes');
  process.env.DATABASE_URL = t.url;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  // Every committed position, with the step paths that had a SUCCEEDED record in that same
  // commit: a deferred trigger runs at the end of the commit's transaction and sees all of it.
  await sql`CREATE TABLE execution_log (run_id uuid NOT NULL, status text NOT NULL, execution jsonb NOT NULL, succeeded text[] NOT NULL)`.execute(
    t.db,
  );
  await sql`CREATE FUNCTION log_execution() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO execution_log SELECT NEW.id, NEW.status, NEW.execution, coalesce(array_agg(path), '{}') FROM run_steps WHERE run_id = NEW.id AND status = 'SUCCEEDED';
      RETURN NULL;
    END $$`.execute(t.db);
  await sql`CREATE CONSTRAINT TRIGGER log_execution AFTER UPDATE OF execution ON runs DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION log_execution()`.execute(
    t.db,
  );
});
afterEach(async () => {
  clearFaultPoints();
  await receiver?.close();
  receiver = null;
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

/** The step paths a saved position says are next or in progress, in every pipe of the tree. */
function currentPaths(cursor: TPipeCursor, base: string): string[] {
  const path = `${base}[${cursor.index}]`;
  return [path, ...(cursor.block ? insideBlock(cursor.block, path) : [])];
}
function insideBlock(block: TBlockState, path: string): string[] {
  switch (block.kind) {
    case 'branch':
      return currentPaths(block.cursor, `${path}.config.${block.pipe}`);
    case 'try':
      return currentPaths(block.cursor, `${path}.config.${block.phase}`);
    case 'forEach':
      return block.active.flatMap((slot) => currentPaths(slot.cursor, `${path}#${slot.index}.config.steps`));
    case 'parallel':
      return block.branches.flatMap((branch, i) =>
        branch.done ? [] : currentPaths(branch.cursor, `${path}.config.branches[${i}].steps`),
      );
    case 'wait':
      return [];
    default:
      return assertNever(block);
  }
}

it('a commit by one lane never saves another lane at a step whose SUCCEEDED record it also saves', async () => {
  receiver = await startReceiver();
  // Lanes interleave step by step only while none waits on I/O, as when a block starts: here
  // one branch flushes (before its call) after a few steps while the other settles steps and
  // blocks. Varying both step counts makes the flush meet the other branch at many points.
  const assign = (id: string) => ({
    id,
    type: 'transform.assign',
    config: { assign: { 'vars.n': { $expr: '$count($keys(vars)) + 1' } } },
  });
  const nested = (id: string) => ({ id, type: 'control.if', config: { condition: true, then: [assign(`${id}-in`)] } });
  const blocks = Array.from({ length: 48 }, (_, j) => ({
    id: `p${j}`,
    type: 'control.parallel',
    config: {
      branches: [
        {
          id: 'pure',
          steps: Array.from({ length: 1 + (j % 6) }, (_, k) =>
            k % 2 === (j >> 3) % 2 ? assign(`a${j}-${k}`) : nested(`b${j}-${k}`),
          ),
        },
        {
          id: 'calls',
          steps: [
            ...Array.from({ length: (j >> 1) % 4 }, (_, k) => assign(`c${j}-${k}`)),
            {
              id: `call${j}`,
              type: 'action.call',
              config: { action: 'http.request', version: 1, input: { method: 'POST', url: `${receiver!.url}/c${j}` } },
            },
          ],
        },
      ],
    },
  }));
  await publishWorkflow({ db: t.db, ctx, key: 'lanes-commit', document: { steps: blocks } });
  const { runId } = await startRun({
    tenantId: ctx.tenantId,
    workflowKey: 'lanes-commit',
    input: {},
    trigger: { type: 'api' },
  });
  expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
  const log = await t.db
    .selectFrom('execution_log' as never)
    .select(['execution', 'succeeded'] as never)
    .where('run_id' as never, '=', runId as never)
    .execute();
  expect(log.length).toBeGreaterThan(40);
  // A crash after such a commit would run the step again, and its second success would break
  // the one-success constraint on every later attempt (WORKER_CRASHED).
  const contradictions = (log as Array<{ execution: { cursor: TPipeCursor }; succeeded: string[] }>).flatMap(
    ({ execution, succeeded }) => currentPaths(execution.cursor, 'steps').filter((p) => succeeded.includes(p)),
  );
  expect(contradictions).toEqual([]);
});

it('a commit by one lane never saves a control.return of another as done while the run could still run it again', async () => {
  receiver = await startReceiver();
  const assign = (id: string) => ({
    id,
    type: 'transform.assign',
    config: { assign: { 'vars.n': { $expr: '$count($keys(vars)) + 1' } } },
  });
  // One chance per run (the return ends it), so one run per alignment of the two branches.
  const returnPathOf = new Map<string, string>();
  for (let j = 0; j < 24; j++) {
    const key = `lanes-return-${j}`;
    const before = j % 6;
    const branches = [
      {
        id: 'returns',
        steps: [
          ...Array.from({ length: before }, (_, k) => assign(`a${k}`)),
          { id: 'done', type: 'control.return', config: { output: 'early' } },
        ],
      },
      {
        id: 'calls',
        steps: [
          ...Array.from({ length: (j >> 1) % 4 }, (_, k) => assign(`c${k}`)),
          ...Array.from({ length: 3 }, (_, k) => ({
            id: `call${k}`,
            type: 'action.call',
            config: {
              action: 'http.request',
              version: 1,
              input: { method: 'POST', url: `${receiver!.url}/r${j}-${k}` },
            },
          })),
        ],
      },
    ];
    await publishWorkflow({
      db: t.db,
      ctx,
      key,
      document: { steps: [{ id: 'both', type: 'control.parallel', config: { branches } }] },
    });
    const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    returnPathOf.set(runId, `steps[0].config.branches[0].steps[${before}]`);
  }
  const log = (await t.db
    .selectFrom('execution_log' as never)
    .select(['run_id', 'status', 'execution', 'succeeded'] as never)
    .where('run_id' as never, 'in', [...returnPathOf.keys()] as never)
    .execute()) as Array<{ run_id: string; status: string; execution: { returned?: unknown }; succeeded: string[] }>;
  expect(log.length).toBeGreaterThan(24);
  // Saved unfinished with the return's success recorded: a crash there ran the return again on
  // recovery, into the one-success constraint, unless the saved execution says it returned.
  const unsafe = log.filter(
    (entry) =>
      entry.status !== 'SUCCEEDED' &&
      entry.succeeded.includes(returnPathOf.get(entry.run_id)!) &&
      entry.execution.returned === undefined,
  );
  expect(unsafe.map((entry) => returnPathOf.get(entry.run_id))).toEqual([]);
});

it('a pass that finds the run returned (a crash after such a commit) ends it with that output, running nothing again', async () => {
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'returned-before',
    document: { steps: [{ id: 'late', type: 'transform.assign', config: { assign: { 'vars.late': true } } }] },
  });
  const { runId } = await startRun({
    tenantId: ctx.tenantId,
    workflowKey: 'returned-before',
    input: {},
    trigger: { type: 'api' },
  });
  await t.db
    .updateTable('runs')
    .set({ execution: sql`execution || '{"returned": {"output": "saved"}}'::jsonb` })
    .where('id', '=', runId)
    .execute();
  expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
  const run = await t.db.selectFrom('runs').select('output').where('id', '=', runId).executeTakeFirstOrThrow();
  expect(run.output).toBe('saved');
  expect(await t.db.selectFrom('run_steps').select('path').where('run_id', '=', runId).execute()).toEqual([]);
});

it('a lane that throws stops its siblings before the pass ends: no action is called after it', async () => {
  receiver = await startReceiver({ holdMs: 50 });
  // An error no step can describe (a defect, a database error) thrown in one lane.
  onFaultPoint('step.beforeExecute', ({ stepId }) => {
    if (stepId === 'boom') throw new Error('simulated defect in a lane');
  });
  const broken = [
    { id: 'boom', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } },
    {
      id: 'after',
      type: 'action.call',
      config: { action: 'http.request', version: 1, input: { method: 'POST', url: `${receiver.url}/after` } },
    },
  ];
  const calls = Array.from({ length: 20 }, (_, i) => ({
    id: `slow-${i}`,
    type: 'action.call',
    config: { action: 'http.request', version: 1, input: { method: 'POST', url: `${receiver!.url}/s${i}` } },
  }));
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'lanes-throw',
    document: {
      steps: [
        {
          id: 'both',
          type: 'control.parallel',
          config: {
            branches: [
              { id: 'broken', steps: broken },
              { id: 'calls', steps: calls },
            ],
          },
        },
      ],
    },
  });
  const { runId } = await startRun({
    tenantId: ctx.tenantId,
    workflowKey: 'lanes-throw',
    input: {},
    trigger: { type: 'api' },
  });
  await expect(driveRun({ db: t.db, runId, maxPasses: 1 })).rejects.toThrow(/simulated defect/);
  const endedAt = Date.now();
  const atEnd = receiver.deliveries.length;
  expect(
    receiver.deliveries.every((d) => d.respondedAt !== null),
    'every call answered before the pass ended',
  ).toBe(true);
  // Absence takes a wait to show: long enough for several more of the sibling's 50 ms calls.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(receiver.deliveries.filter((d) => d.at >= endedAt).map((d) => d.key)).toEqual([]);
  expect(receiver.deliveries.length).toBe(atEnd);
  expect(atEnd).toBeLessThan(calls.length);
});
