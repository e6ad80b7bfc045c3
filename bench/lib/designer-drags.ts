import type { Page } from '@playwright/test';
import { measureDrag, type TDragCase, type TDragFigures } from './designer-page';

/** A drag to measure: its label, the case, the page (this build's or the before build's) and that page's base URL. */
export type TDragRun = [string, TDragCase, Page, string];

export type TDragResults = Record<
  string,
  { frames: number; meanGapMs: number; longestGapMs: number; dropToMovedMs: number }
>;

/** The name suffix of round r's copy of a workflow (round 0 uses the workflow itself). */
export const repeatSuffix = (r: number) => (r === 0 ? '' : `-r${r}`);
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

/**
 * The drags of one build, in the workflows imported under `key` (designer-open.ts): the cards
 * each page draws on opening come from that build's plans.
 */
export function designerDragCases(
  key: string,
  plans: { mid: { drawn: number }; big: { drawn: number } },
): [string, TDragCase][] {
  const laptop = { width: 1440, height: 900 };
  return [
    [
      'baseline: 10 steps, 1440×900, into the block below',
      { key: `${key}-small`, cards: 10, stepId: 's1', overId: 't3', pipeId: 'gate/then', viewport: laptop },
    ],
    [
      '300 steps, 1440×900, one level deeper  ',
      // b7 (s8's block) opens collapsed at 48 cards: its row is clicked first, as a person would.
      {
        key: `${key}-drag`,
        cards: plans.mid.drawn,
        stepId: 's2',
        overId: 's8',
        pipeId: 'b7/steps',
        viewport: laptop,
        open: ['b7'],
      },
    ],
    [
      '1,000 steps, 1440×900, one level deeper',
      {
        key: `${key}-1000-drag`,
        cards: plans.big.drawn,
        stepId: 's2',
        overId: 's8',
        pipeId: 'b7/steps',
        viewport: laptop,
        // Every group opens collapsed at 48 cards (b1's row opens all it holds); at 120, b7 did.
        open: ['b1', 'b7'],
      },
    ],
    [
      'old page (?expand=all), 300 steps, 1440×900  ',
      {
        key: `${key}-old`,
        cards: 300,
        stepId: 's2',
        overId: 's8',
        pipeId: 'b7/steps',
        viewport: laptop,
        query: '?expand=all',
      },
    ],
    [
      'old page (?expand=all), 1,000 steps, 1440×900',
      {
        key: `${key}-1000-old`,
        cards: 1000,
        stepId: 's2',
        overId: 's8',
        pipeId: 'b7/steps',
        viewport: laptop,
        query: '?expand=all',
      },
    ],
    [
      '300 steps, 1440×3200, into the next group',
      {
        key: `${key}-tall`,
        cards: plans.mid.drawn,
        stepId: 's2',
        overId: 's34',
        pipeId: 'b31/then',
        viewport: { width: 1440, height: 3200 },
      },
    ],
  ];
}

/**
 * Measures each drag `rounds` times (round r on the copy `<key>-r<r>` of its workflow), printing
 * each drag's frame gaps and, over several rounds, their medians, which it returns.
 */
export async function measureDrags(dragRuns: readonly TDragRun[], rounds: number): Promise<TDragResults> {
  const results: TDragResults = {};
  const dragFigures = new Map<string, TDragFigures[]>();
  for (let r = 0; r < rounds; r++) {
    // BENCH_DRAG_CSS with BENCH_DRAG_CSS_ALT=1: every other round adds it (labelled "+css"), to
    // compare a style change with the page as built in one run (BENCH_DRAG_N=6 for 3 each).
    const withCss = !!process.env.BENCH_DRAG_CSS && (!process.env.BENCH_DRAG_CSS_ALT || r % 2 === 1);
    for (const [plainLabel, drag, on, base] of dragRuns) {
      const label = withCss ? `${plainLabel} +css` : plainLabel;
      const css = withCss ? process.env.BENCH_DRAG_CSS : undefined;
      const figures = await measureDrag(on, base, { ...drag, css, key: `${drag.key}${repeatSuffix(r)}` });
      console.log(
        `drag ${label}  ${figures.frames} frames in ${figures.dragMs} ms  mean frame gap=${figures.meanGap.toFixed(1)} ms  longest=${figures.maxGap.toFixed(1)} ms  drop → moved in DOM=${figures.settleMs} ms`,
      );
      for (const line of figures.profile) console.log(line);
      dragFigures.set(label, [...(dragFigures.get(label) ?? []), figures]);
    }
  }
  for (const [label, runs] of dragFigures) {
    const mid = (pick: (figures: TDragFigures) => number) => median(runs.map(pick));
    if (runs.length > 1)
      console.log(
        `drag ${label}  medians of ${runs.length}: mean frame gap=${mid((f) => f.meanGap).toFixed(1)} ms  longest=${mid((f) => f.maxGap).toFixed(1)} ms  drop → moved in DOM=${mid((f) => f.settleMs).toFixed(0)} ms`,
      );
    results[label.trim()] = {
      frames: Math.round(mid((f) => f.frames)),
      meanGapMs: Number(mid((f) => f.meanGap).toFixed(1)),
      longestGapMs: Number(mid((f) => f.maxGap).toFixed(1)),
      dropToMovedMs: Math.round(mid((f) => f.settleMs)),
    };
  }
  return results;
}
