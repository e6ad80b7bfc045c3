import { describe, expect, it } from 'vitest';
import { nestedDefinition } from '@/bench/lib/nested-definition';
import {
  collapseBlock,
  expandBlock,
  initialCollapsed,
  OPEN_CARD_BUDGET,
  revealPipe,
  revealStep,
  shownCardCount,
} from '@/components/designer/canvas/collapse-plan';
import { drawnCount, LONG_PIPE, PIPE_CHUNK, showStep, showThrough } from '@/components/designer/canvas/pipe-window';
import type { TStep } from '@/model/definition/step';

const leaf = (id: string): TStep => ({
  id,
  type: 'transform.assign',
  config: { assign: {} },
  onError: 'fail',
  disabled: false,
});
const block = (id: string, then: TStep[]): TStep => ({
  id,
  type: 'control.if',
  config: { condition: { $expr: 'true' }, then, else: [] },
  onError: 'fail',
  disabled: false,
});

describe('initialCollapsed', () => {
  it('opens every block of a workflow within the budget', () => {
    const steps = [leaf('a'), block('b', [leaf('c'), block('d', [leaf('e')])])];
    expect(initialCollapsed(steps, 5)).toEqual(new Set());
    expect(shownCardCount(steps, new Set())).toBe(5);
  });

  it('opens blocks shallowest first, top to bottom, and collapses those that would pass the budget', () => {
    // root 3 cards; b holds 2 (5), d inside b holds 1 (6), x holds 3 (would be 9 > 7).
    const steps = [
      leaf('a'),
      block('b', [leaf('c'), block('d', [leaf('e')])]),
      block('x', [leaf('y1'), leaf('y2'), leaf('y3')]),
    ];
    const collapsed = initialCollapsed(steps, 7);
    expect(collapsed).toEqual(new Set(['x']));
    expect(shownCardCount(steps, collapsed)).toBe(6);
    // A shallower block is weighed before a deeper one, even when the deeper comes first.
    expect(initialCollapsed(steps, 8)).toEqual(new Set(['d']));
  });

  it('keeps the bench workflows within the budget: 300 and 1,000 steps', () => {
    for (const options of [{}, { groups: 33, tail: 10 }]) {
      const { steps } = nestedDefinition('k', options) as unknown as { steps: TStep[] };
      const shown = shownCardCount(steps, initialCollapsed(steps));
      expect(shown).toBeLessThanOrEqual(OPEN_CARD_BUDGET);
      expect(shown).toBeGreaterThan(OPEN_CARD_BUDGET - 10);
    }
    const { steps } = nestedDefinition('k') as unknown as { steps: TStep[] };
    const collapsed = initialCollapsed(steps);
    // 10 group cards and the first 6 groups open (46 cards); the blocks inside them start
    // collapsed (the drag bench and e2e open b7 with a click on its row).
    expect(shownCardCount(steps, collapsed)).toBe(46);
    expect(collapsed.has('b1')).toBe(false);
    expect(collapsed.has('b151')).toBe(false);
    expect(collapsed.has('b181')).toBe(true);
    expect(collapsed.has('b7')).toBe(true);
    expect(shownCardCount(steps, expandBlock(steps, collapsed, 'b7'))).toBe(46 + 23);
    expect(shownCardCount(steps, new Set())).toBe(300);
    // 1,000 steps: the 43 cards at the top, every group collapsed.
    const { steps: big } = nestedDefinition('k', { groups: 33, tail: 10 }) as unknown as { steps: TStep[] };
    expect(shownCardCount(big, initialCollapsed(big))).toBe(43);
    expect(initialCollapsed(big).has('b1')).toBe(true);
  });
});

describe('long pipes', () => {
  const long = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => leaf(`${prefix}${i + 1}`));

  it('draws the first cards of a long pipe, all of a short one', () => {
    expect(drawnCount(LONG_PIPE, undefined)).toBe(LONG_PIPE);
    expect(drawnCount(LONG_PIPE + 1, undefined)).toBe(PIPE_CHUNK);
    expect(drawnCount(500, 120)).toBe(120);
    expect(drawnCount(100, 400)).toBe(100);
    expect(shownCardCount(long('s', 1000), new Set())).toBe(PIPE_CHUNK);
  });

  it('counts only the drawn cards against the budget; blocks past them start collapsed', () => {
    const steps = [...long('s', 100), block('late', [leaf('in')]), block('empty', [])];
    const collapsed = initialCollapsed(steps, 120);
    expect(collapsed).toEqual(new Set(['late']));
    const early = [block('early', long('e', 100)), ...long('s', 100)];
    // early's pipe draws 40 cards: 40 + 40 root cards fit in 120.
    expect(initialCollapsed(early, 120)).toEqual(new Set());
    expect(shownCardCount(early, new Set())).toBe(80);
  });

  it('draws far enough down every pipe on the way to a step, in whole chunks', () => {
    const steps = [...long('s', 100), block('b', long('t', 300))];
    const shown = showStep(steps, new Map(), 't250');
    expect(shown).toEqual(
      new Map([
        ['root', 120],
        ['b/then', 280],
      ]),
    );
    expect(showStep(steps, shown, 't10')).toBe(shown);
    expect(showThrough(new Map(), 'root', 39)).toEqual(new Map());
    expect(showThrough(new Map(), 'root', 40)).toEqual(new Map([['root', 80]]));
    expect(shownCardCount(steps, new Set(), shown)).toBe(100 + 1 + 280);
  });
});

describe('expanding, collapsing and revealing', () => {
  const steps = [block('b', [leaf('c'), block('d', [leaf('e'), block('f', [leaf('g')])])]), block('x', [leaf('y')])];

  it('expands a block with every block inside it; collapsing adds one', () => {
    const collapsed = new Set(['b', 'd', 'f', 'x']);
    expect(expandBlock(steps, collapsed, 'b')).toEqual(new Set(['x']));
    expect(collapseBlock(new Set(['x']), 'd')).toEqual(new Set(['x', 'd']));
    const same = new Set(['x']);
    expect(expandBlock(steps, same, 'b')).toBe(same);
    expect(collapseBlock(same, 'x')).toBe(same);
    expect(expandBlock(steps, same, 'missing')).toBe(same);
  });

  it('reveals a deep step by opening the blocks that hold it, and leaves others alone', () => {
    expect(revealStep(steps, new Set(['b', 'x']), 'g')).toEqual(new Set(['x']));
    expect(revealStep(steps, new Set(['d', 'x']), 'e')).toEqual(new Set(['x']));
    // A collapsed block itself stays collapsed when it is the step revealed.
    expect(revealStep(steps, new Set(['d']), 'd')).toEqual(new Set(['d']));
    const none = new Set<string>(['x']);
    expect(revealStep(steps, none, 'nope')).toBe(none);
  });

  it('reveals the pipe a step is placed in, opening its owner', () => {
    expect(revealPipe(steps, new Set(['b', 'x']), 'd/then')).toEqual(new Set(['x']));
    expect(revealPipe(steps, new Set(['x']), 'x/then')).toEqual(new Set());
    const set = new Set(['x']);
    expect(revealPipe(steps, set, 'root')).toBe(set);
  });
});
