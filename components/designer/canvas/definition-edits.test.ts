import { describe, expect, it } from 'vitest';
import {
  duplicateStep,
  insertStep,
  isPipeInside,
  locateStep,
  moveStep,
  newStep,
  removeStep,
  ROOT_PIPE,
  shiftStep,
  stepsOfPipe,
  updateStep,
} from '@/components/designer/canvas/definition-edits';
import { createHistory, pushHistory, redoHistory, undoHistory } from '@/components/designer/canvas/history';
import type { TStep } from '@/model/definition/step';
import { allStepIds } from '@/model/designer/step-tree';

const leaf = (id: string): TStep => ({
  id,
  type: 'state.set',
  config: { state: id },
  onError: 'fail',
  disabled: false,
});
const block = (id: string, then: TStep[], otherwise: TStep[] = []): TStep => ({
  id,
  type: 'control.if',
  config: { condition: { $expr: 'true' }, then, else: otherwise },
  onError: 'fail',
  disabled: false,
});

function tree(): TStep[] {
  return [leaf('a'), block('check', [leaf('b'), block('inner', [leaf('c')])], [leaf('d')]), leaf('e')];
}
const ids = (steps: readonly TStep[] | null) => (steps ?? []).map((step) => step.id);

describe('definition edits', () => {
  it('finds pipes and steps at any depth', () => {
    const steps = tree();
    expect(ids(stepsOfPipe(steps, 'check/then'))).toEqual(['b', 'inner']);
    expect(ids(stepsOfPipe(steps, 'inner/then'))).toEqual(['c']);
    expect(stepsOfPipe(steps, 'nope/then')).toBeNull();
    expect(locateStep(steps, 'c')).toEqual({ pipeId: 'inner/then', index: 0 });
    expect(locateStep(steps, 'e')).toEqual({ pipeId: ROOT_PIPE, index: 2 });
  });

  it('inserts into a nested pipe and leaves untouched branches identical', () => {
    const steps = tree();
    const next = insertStep(steps, { pipeId: 'inner/then', index: 0 }, leaf('new'));
    expect(ids(stepsOfPipe(next, 'inner/then'))).toEqual(['new', 'c']);
    expect(next[0]).toBe(steps[0]);
    expect(next[2]).toBe(steps[2]);
    expect(steps[1]).not.toBe(next[1]);
    expect(ids(stepsOfPipe(steps, 'inner/then'))).toEqual(['c']); // the original is not mutated
  });

  it('inserts into an absent optional pipe (else of an if without else)', () => {
    const steps: TStep[] = [
      { id: 'x', type: 'control.if', config: { condition: true, then: [] }, onError: 'fail', disabled: false },
    ];
    expect(ids(stepsOfPipe(insertStep(steps, { pipeId: 'x/else', index: 0 }, leaf('y')), 'x/else'))).toEqual(['y']);
  });

  it('removes a step with everything nested in it', () => {
    const { steps, removed, from } = removeStep(tree(), 'inner');
    expect(removed?.id).toBe('inner');
    expect(from).toEqual({ pipeId: 'check/then', index: 1 });
    expect(allStepIds(steps)).toEqual(['a', 'check', 'b', 'd', 'e']);
  });

  it('moves within a pipe with the index counted without the moved step (as dnd reports it)', () => {
    expect(ids(moveStep(tree(), 'a', { pipeId: ROOT_PIPE, index: 2 }))).toEqual(['check', 'e', 'a']);
    expect(ids(moveStep(tree(), 'e', { pipeId: ROOT_PIPE, index: 0 }))).toEqual(['e', 'a', 'check']);
  });

  it('moves between pipes at any depth, both ways', () => {
    const down = moveStep(tree(), 'a', { pipeId: 'inner/then', index: 1 });
    expect(ids(down)).toEqual(['check', 'e']);
    expect(ids(stepsOfPipe(down, 'inner/then'))).toEqual(['c', 'a']);
    const up = moveStep(tree(), 'c', { pipeId: ROOT_PIPE, index: 0 });
    expect(ids(up)).toEqual(['c', 'a', 'check', 'e']);
    expect(ids(stepsOfPipe(up, 'inner/then'))).toEqual([]);
  });

  it('refuses to move a block into its own pipes', () => {
    const steps = tree();
    expect(isPipeInside(steps, 'inner/then', 'check')).toBe(true);
    expect(isPipeInside(steps, 'check/else', 'inner')).toBe(false);
    expect(moveStep(steps, 'check', { pipeId: 'inner/then', index: 0 })).toBe(steps);
    expect(moveStep(steps, 'check', { pipeId: 'check/else', index: 0 })).toBe(steps);
  });

  it('shifts up and down inside the pipe, not past its ends', () => {
    expect(ids(stepsOfPipe(shiftStep(tree(), 'b', 1), 'check/then'))).toEqual(['inner', 'b']);
    const steps = tree();
    expect(shiftStep(steps, 'a', -1)).toBe(steps);
    expect(shiftStep(steps, 'e', 1)).toBe(steps);
  });

  it('duplicates a block right after it with new unique ids throughout', () => {
    const { steps, copyId } = duplicateStep(tree(), 'check');
    expect(copyId).toBe('check-2');
    expect(ids(steps)).toEqual(['a', 'check', 'check-2', 'e']);
    const all = allStepIds(steps);
    expect(new Set(all).size).toBe(all.length);
    expect(ids(stepsOfPipe(steps, 'check-2/then'))).toEqual(['b-2', 'inner-2']);
    expect(ids(stepsOfPipe(steps, 'inner-2/then'))).toEqual(['c-2']);
  });

  it('duplicates an if that has no else (a pipe its config leaves out)', () => {
    const noElse: TStep = { ...leaf('check'), type: 'control.if', config: { condition: true, then: [leaf('b')] } };
    const { steps, copyId } = duplicateStep([noElse], 'check');
    expect(copyId).toBe('check-2');
    expect(ids(stepsOfPipe(steps, 'check-2/then'))).toEqual(['b-2']);
    expect(steps[1]?.config).not.toHaveProperty('else');
  });

  it('updates a step anywhere, including a rename', () => {
    const steps = tree();
    const next = updateStep(steps, 'c', { ...leaf('renamed'), name: 'Renamed' });
    expect(ids(stepsOfPipe(next, 'inner/then'))).toEqual(['renamed']);
    expect(next[0]).toBe(steps[0]);
  });

  it('makes new steps with unique ids and empty pipes for blocks', () => {
    const taken = new Set(['if']);
    const step = newStep({ type: 'control.if', title: 'If', taken });
    expect(step.id).toBe('if-2');
    expect(step.config).toEqual({ then: [], else: [] });
    expect(
      newStep({ type: 'action.call', title: 'HTTP request', action: { id: 'http.request', version: 1 }, taken }).config,
    ).toEqual({ action: 'http.request', version: 1, input: {} });
  });
});

describe('history', () => {
  it('undoes and redoes, and a new edit drops the redo branch', () => {
    let h = createHistory(1);
    h = pushHistory(h, 2);
    h = pushHistory(h, 3);
    h = undoHistory(h);
    expect(h.present).toBe(2);
    h = redoHistory(h);
    expect(h.present).toBe(3);
    h = undoHistory(undoHistory(h));
    expect(h.present).toBe(1);
    h = pushHistory(h, 4);
    expect(h.future).toEqual([]);
    expect(redoHistory(h)).toBe(h);
  });

  it('merges edits of one group made close together', () => {
    let h = createHistory('');
    h = pushHistory(h, 'a', { group: 'step:x', now: 1000 });
    h = pushHistory(h, 'ab', { group: 'step:x', now: 1500 });
    h = pushHistory(h, 'abc', { group: 'step:x', now: 4000 });
    expect(h.past).toEqual(['', 'ab']);
    expect(undoHistory(h).present).toBe('ab');
  });
});
