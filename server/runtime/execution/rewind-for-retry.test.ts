import { describe, expect, it } from 'vitest';
import {
  EXECUTION_FORMAT_VERSION,
  ZExecution,
  type TBlockState,
  type TExecution,
  type TPipeCursor,
  type TScope,
} from '@/server/runtime/execution/execution-state';
import { rewindForRetry } from '@/server/runtime/execution/rewind-for-retry';

const at = '2026-12-01T00:00:00.000Z';
const boom = { code: 'BOOM', message: 'boom', stepId: 'boom', stepPath: 'x' };
const failedCall = { code: 'SECRET_MISSING', message: 'missing', stepId: 'call', stepPath: 'y' };
const scope = (vars: Record<string, unknown>, error: TScope['error'] = null): TScope => ({ vars, error });
const execution = (cursor: TPipeCursor, vars: Record<string, unknown> = {}): TExecution => ({
  formatVersion: EXECUTION_FORMAT_VERSION,
  scope: scope(vars),
  cursor,
  attempts: {},
});

/** A try block that ran finally after its catch failed at `catchIndex`, with `inner` the catch's cursor block. */
function finishedTry({
  catchIndex,
  before,
  inner,
}: {
  catchIndex: number;
  before: Record<string, unknown>;
  inner?: TBlockState;
}): TBlockState {
  return {
    kind: 'try',
    startedAt: at,
    phase: 'finally',
    cursor: { index: 1 },
    outerError: null,
    caught: boom,
    after: { type: 'fail', error: failedCall },
    failedAt: {
      phase: 'catch',
      cursor: { index: catchIndex, ...(inner ? { block: inner } : {}) },
      scope: scope(before, boom),
    },
  };
}

describe('rewindForRetry', () => {
  it('leaves an execution without a try block that ran finally after a failure as it is', () => {
    const saved = execution({ index: 2 }, { a: 1 });
    expect(rewindForRetry(saved)).toEqual({ execution: saved, rerunPipes: [] });
  });

  it('puts a try block back at the failed catch step, with the vars and error from before it, and does not change its input', () => {
    const saved = execution(
      { index: 1, block: finishedTry({ catchIndex: 1, before: { noted: 1 } }) },
      { noted: 1, cleaned: 1 },
    );
    const copy = structuredClone(saved);
    const { execution: rewound, rerunPipes } = rewindForRetry(saved);
    expect(rewound.scope).toEqual({ vars: { noted: 1 }, error: boom });
    expect(rewound.cursor.block).toMatchObject({
      kind: 'try',
      phase: 'catch',
      cursor: { index: 1 },
      after: { type: 'continue' },
      caught: boom,
    });
    expect(rewound.cursor.block).not.toHaveProperty('failedAt');
    expect(rerunPipes).toEqual(['steps[1].config.finally']);
    expect(saved).toEqual(copy);
  });

  it('goes through a forEach iteration and a parallel branch to a nested try in catch, the innermost vars last', () => {
    const inner = finishedTry({ catchIndex: 0, before: { depth: 'inner' } });
    const outer = finishedTry({ catchIndex: 2, before: { depth: 'outer' }, inner });
    const parallel: TBlockState = {
      kind: 'parallel',
      startedAt: at,
      branches: [
        { id: 'done', scope: scope({ untouched: true }), cursor: { index: 1 }, done: true, result: 1 },
        {
          id: 'failed',
          scope: scope({ depth: 'after both finallys' }),
          cursor: { index: 0, block: outer },
          done: false,
          result: null,
        },
      ],
    };
    const forEach: TBlockState = {
      kind: 'forEach',
      startedAt: at,
      items: ['a', 'b'],
      results: ['a', null],
      failures: [null, null],
      next: 2,
      active: [{ index: 1, scope: scope({}), cursor: { index: 0, block: parallel } }],
    };
    const { execution: rewound, rerunPipes } = rewindForRetry(execution({ index: 3, block: forEach }));
    const slot = (rewound.cursor.block as Extract<TBlockState, { kind: 'forEach' }>).active[0]!;
    const branches = (slot.cursor.block as Extract<TBlockState, { kind: 'parallel' }>).branches;
    expect(branches[0]).toEqual(parallel.branches[0]);
    expect(branches[1]!.scope.vars).toEqual({ depth: 'inner' });
    expect(branches[1]!.cursor.block).toMatchObject({
      phase: 'catch',
      cursor: { index: 2, block: { phase: 'catch', cursor: { index: 0 } } },
    });
    const base = 'steps[3]#1.config.steps[0].config.branches[1].steps[0]';
    expect(rerunPipes).toEqual([`${base}.config.finally`, `${base}.config.catch[2].config.finally`]);
  });

  it('leaves a failure inside finally where it is: its cursor is at the failed finally step', () => {
    const block: TBlockState = {
      kind: 'try',
      startedAt: at,
      phase: 'finally',
      cursor: { index: 1 },
      outerError: null,
      caught: boom,
      after: { type: 'continue' },
    };
    expect(rewindForRetry(execution({ index: 0, block }, { v: 1 })).execution.cursor.block).toEqual(block);
  });
});

describe('ZExecution', () => {
  it('reads a format 1 execution (no formatVersion) as the current format', () => {
    const v1 = { scope: { vars: { a: 1 }, error: null }, cursor: { index: 0 }, attempts: { 'steps[0]': 1 } };
    expect(ZExecution.parse(v1)).toEqual({ ...v1, formatVersion: EXECUTION_FORMAT_VERSION });
  });

  it('refuses an execution saved by a newer format than this code reads', () => {
    expect(() =>
      ZExecution.parse({
        formatVersion: EXECUTION_FORMAT_VERSION + 1,
        scope: { vars: {}, error: null },
        cursor: { index: 0 },
        attempts: {},
      }),
    ).toThrow(/newer/);
  });
});
