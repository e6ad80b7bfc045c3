import { describe, expect, it } from 'vitest';
import type { TBlockState, TPipeCursor } from '@/server/runtime/execution/execution-state';
import { isPathAhead } from '@/server/runtime/execution/path-ahead';

const scope = { vars: {}, error: null };
const at = (index: number, block?: TBlockState): TPipeCursor => (block ? { index, block } : { index });
const waiting: TBlockState = { kind: 'wait', waitId: 'w', recordId: 'r', attempt: 1, startedAt: '', retry: false };
/** Which of `paths` the run at `cursor` still reaches. */
const ahead = (cursor: TPipeCursor, paths: string[]) => paths.filter((path) => isPathAhead(path, cursor));

describe('isPathAhead', () => {
  it('top level: the step the run waits in and those after it', () => {
    expect(ahead(at(2, waiting), ['steps[0]', 'steps[1]', 'steps[2]', 'steps[3]', 'steps[10]'])).toEqual([
      'steps[2]',
      'steps[3]',
      'steps[10]',
    ]);
    // A pipe run to its end reaches nothing; another name is not a step.
    expect(ahead(at(3), ['steps[0]', 'steps[2]', '$run.timeout'])).toEqual([]);
  });

  it('a block not entered yet (a run paused before it): everything in it', () => {
    expect(ahead(at(1), ['steps[0].config.then[0]', 'steps[1].config.then[0]', 'steps[1]#2.config.steps[0]'])).toEqual([
      'steps[1].config.then[0]',
      'steps[1]#2.config.steps[0]',
    ]);
  });

  it('a branch: the pipe taken from its cursor on, never the pipe not taken', () => {
    const cursor = at(1, { kind: 'branch', startedAt: '', pipe: 'cases[1].steps', cursor: at(1, waiting) });
    expect(
      ahead(cursor, [
        'steps[1].config.cases[1].steps[0]',
        'steps[1].config.cases[1].steps[1]',
        'steps[1].config.cases[1].steps[2]',
        'steps[1].config.cases[0].steps[5]',
        'steps[1].config.else[0]',
        'steps[2]',
      ]),
    ).toEqual(['steps[1].config.cases[1].steps[1]', 'steps[1].config.cases[1].steps[2]', 'steps[2]']);
  });

  it('a try: its phase from the cursor on and the phases after it, not those before', () => {
    const inCatch = at(0, {
      kind: 'try',
      startedAt: '',
      phase: 'catch',
      cursor: at(1, waiting),
      outerError: null,
      after: { type: 'continue' },
    });
    expect(
      ahead(inCatch, [
        'steps[0].config.try[3]',
        'steps[0].config.catch[0]',
        'steps[0].config.catch[1]',
        'steps[0].config.finally[0]',
      ]),
    ).toEqual(['steps[0].config.catch[1]', 'steps[0].config.finally[0]']);
  });

  it('a loop: active iterations from their cursors, iterations not started, never finished ones', () => {
    const loop = at(0, {
      kind: 'forEach',
      startedAt: '',
      items: [1, 2, 3, 4],
      next: 3,
      active: [{ index: 2, scope, cursor: at(1, waiting) }],
    });
    expect(
      ahead(loop, [
        'steps[0]#0.config.steps[1]',
        'steps[0]#2.config.steps[0]',
        'steps[0]#2.config.steps[1]',
        'steps[0]#3.config.steps[0]',
      ]),
    ).toEqual(['steps[0]#2.config.steps[1]', 'steps[0]#3.config.steps[0]']);
  });

  it('parallel branches: each from its own cursor, none of a branch that ended', () => {
    const branch = (id: string, cursor: TPipeCursor, done: boolean) => ({ id, scope, cursor, done, result: null });
    const parallel = at(0, {
      kind: 'parallel',
      startedAt: '',
      branches: [branch('a', at(2), true), branch('b', at(1, waiting), false)],
    });
    expect(
      ahead(parallel, [
        'steps[0].config.branches[0].steps[1]',
        'steps[0].config.branches[1].steps[0]',
        'steps[0].config.branches[1].steps[1]',
        'steps[0].config.branches[1].steps[1].config.then[0]',
      ]),
    ).toEqual(['steps[0].config.branches[1].steps[1]']);
  });
});
