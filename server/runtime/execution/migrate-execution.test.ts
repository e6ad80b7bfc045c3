import { describe, expect, it } from 'vitest';
import { ZStep, type TStep, type TStepInput } from '@/model/definition/step';
import { initialExecution, type TExecution, type TPipeCursor } from '@/server/runtime/execution/execution-state';
import { planMigration } from '@/server/runtime/execution/migrate-execution';

const step = (input: TStepInput): TStep => ZStep.parse(input);
const assign = (id: string) => step({ id, type: 'transform.assign', config: { assign: { [`vars.${id}`]: 1 } } });
const delay = (id: string) => step({ id, type: 'time.delay', config: { durationMs: 1000 } });
const call = (id: string, idempotencyKey?: string) =>
  step({
    id,
    type: 'action.call',
    config: { action: 'core.echo', version: 1, input: {}, ...(idempotencyKey ? { idempotencyKey } : {}) },
  });
const forEach = (id: string, steps: TStep[]) =>
  step({ id, type: 'control.forEach', config: { items: [1, 2, 3], steps } });
const parallel = (id: string, branches: Array<[string, TStep[]]>) =>
  step({ id, type: 'control.parallel', config: { branches: branches.map(([bid, steps]) => ({ id: bid, steps })) } });
const tryCatch = (id: string, tryPipe: TStep[], catchPipe: TStep[]) =>
  step({ id, type: 'control.tryCatch', config: { try: tryPipe, catch: catchPipe } });

const waitBlock = (retry = false) =>
  ({ kind: 'wait', waitId: 'w', recordId: 'r', attempt: 1, startedAt: '2026-12-06T00:00:00Z', retry }) as const;
const execution = (cursor: TPipeCursor, attempts: Record<string, number> = {}): TExecution => ({
  ...initialExecution(),
  cursor,
  attempts,
});
const scope = { vars: {}, error: null };

describe('planMigration', () => {
  it('moves every active iteration of a forEach, and the attempts of the steps it keeps', () => {
    const from = [assign('gone'), forEach('loop', [assign('pre'), delay('nap')])];
    const to = [forEach('loop', [assign('pre'), assign('new'), delay('nap')])];
    const active = [1, 2].map((index) => ({ index, scope, cursor: { index: 1, block: waitBlock() } }));
    const plan = planMigration({
      from,
      to,
      execution: execution(
        { index: 1, block: { kind: 'forEach', startedAt: 'x', items: [1, 2, 3], next: 3, active } },
        { 'steps[0]': 1, 'steps[1]#1.config.steps[1]': 1, 'steps[1]#2.config.steps[0]': 1 },
      ),
    });
    expect(plan.problems).toEqual([]);
    expect(plan.execution.cursor).toMatchObject({
      index: 0,
      block: { kind: 'forEach', active: active.map(({ index }) => ({ index, cursor: { index: 2 } })) },
    });
    // The removed step's attempts go; the others follow their steps.
    expect(plan.execution.attempts).toEqual({ 'steps[0]#1.config.steps[2]': 1, 'steps[0]#2.config.steps[0]': 1 });
    expect(plan.translatePath('steps[1]#2.config.steps[1]')).toBe('steps[0]#2.config.steps[2]');
    expect(plan.translatePath('steps[0]')).toBeNull();
    expect(plan.translatePath('$run.timeout')).toBeNull();
    // Items the new version computes another way would meet steps written for another shape.
    const reshaped = step({
      id: 'loop',
      type: 'control.forEach',
      config: { items: { $expr: 'payload.lines' }, steps: [assign('pre'), delay('nap')] },
    });
    const refused = planMigration({
      from,
      to: [reshaped],
      execution: execution({
        index: 1,
        block: { kind: 'forEach', startedAt: 'x', items: [1, 2, 3], next: 3, active },
      }),
    });
    expect(refused.problems).toEqual([
      expect.objectContaining({ stepId: 'loop', reason: expect.stringContaining('items are computed differently') }),
    ]);
  });

  it('carries parallel branches only when the new version has the same branches', () => {
    const from = [
      parallel('fan', [
        ['a', [delay('wa')]],
        ['b', [assign('done')]],
      ]),
    ];
    const cursor: TPipeCursor = {
      index: 0,
      block: {
        kind: 'parallel',
        startedAt: 'x',
        branches: [
          { id: 'a', scope, cursor: { index: 0, block: waitBlock() }, done: false, result: null },
          { id: 'b', scope, cursor: { index: 1 }, done: true, result: 1 },
        ],
      },
    };
    const same = planMigration({
      from,
      to: [
        parallel('fan', [
          ['a', [assign('first'), delay('wa')]],
          ['b', [assign('done'), assign('more')]],
        ]),
      ],
      execution: execution(cursor),
    });
    expect(same.problems).toEqual([]);
    expect(same.execution.cursor.block).toMatchObject({
      branches: [{ cursor: { index: 1, block: { kind: 'wait' } } }, { cursor: { index: 2 }, done: true }],
    });
    const reordered = planMigration({
      from,
      to: [
        parallel('fan', [
          ['b', [assign('done')]],
          ['a', [delay('wa')]],
        ]),
      ],
      execution: execution(cursor),
    });
    expect(reordered.problems).toEqual([
      { stepId: 'fan', path: 'steps[0]', reason: "its branches (a, b) differ from the new version's (b, a)" },
    ]);
  });

  it('follows a try block into its catch, and its recorded failure point', () => {
    const from = [tryCatch('guard', [call('charge')], [delay('cool')])];
    const to = [tryCatch('guard', [assign('log'), call('charge')], [assign('note'), delay('cool')])];
    const plan = planMigration({
      from,
      to,
      execution: execution({
        index: 0,
        block: {
          kind: 'try',
          startedAt: 'x',
          phase: 'catch',
          cursor: { index: 0, block: waitBlock() },
          outerError: null,
          after: { type: 'continue' },
          failedAt: { phase: 'try', cursor: { index: 0 }, scope },
        },
      }),
    });
    expect(plan.problems).toEqual([]);
    expect(plan.execution.cursor.block).toMatchObject({ cursor: { index: 1 }, failedAt: { cursor: { index: 1 } } });
  });

  it("refuses to move an action waiting to retry when its idempotency key is its path, unless the key is the step's own", () => {
    const retrying = execution({ index: 0, block: waitBlock(true) });
    const moved = planMigration({ from: [call('charge')], to: [assign('new'), call('charge')], execution: retrying });
    expect(moved.problems).toEqual([
      expect.objectContaining({ stepId: 'charge', reason: expect.stringContaining('idempotency key') as string }),
    ]);
    // In place, or with a key of its own, nothing the receiver sees changes.
    expect(planMigration({ from: [call('charge')], to: [call('charge')], execution: retrying }).problems).toEqual([]);
    const keyed = planMigration({
      from: [call('charge', 'order-1')],
      to: [assign('new'), call('charge', 'order-1')],
      execution: retrying,
    });
    expect(keyed.problems).toEqual([]);
  });

  it('names the next step of a paused pipe when the new version lacks it, and maps it through stepMap', () => {
    const paused = execution({ index: 1 });
    const from = [assign('a'), assign('b')];
    expect(planMigration({ from, to: [assign('a'), assign('c')], execution: paused }).problems).toEqual([
      { stepId: 'b', path: 'steps[1]', reason: 'the new version has no step "b" at the top level' },
    ]);
    const mapped = planMigration({ from, to: [assign('c'), assign('a')], execution: paused, stepMap: { b: 'c' } });
    expect(mapped.execution.cursor).toEqual({ index: 0 });
  });
});
