import { findStepTrail, forEachNestedStep, nestedPipes } from '@/model/designer/step-tree';
import { pipeIdOf, pipeOwner, ROOT_PIPE, type TPipeId } from '@/components/designer/canvas/definition-edits';
import { drawnCount } from '@/components/designer/canvas/pipe-window';
import type { TStep } from '@/model/definition/step';

/**
 * How many step cards a workflow opens with at most before blocks start collapsed. Opening
 * (server render, hydration, the drag library's registration) and a drag's lift (the library
 * measures every card) cost in proportion to the cards in the page; a 1440×900 window shows
 * about fifteen, so 48 is about three screens (it was 120: ~118 cards hydrated to show 15).
 */
export const OPEN_CARD_BUDGET = 48;

/**
 * The blocks a workflow opens with collapsed: blocks open shallowest first, top to bottom,
 * while the cards on the page stay within `budget`; every block that would pass it starts
 * collapsed (what is inside it is not rendered). A workflow of `budget` steps or fewer opens
 * with every block open. Only the drawn part of a long pipe counts (pipe-window.ts). Pure, so the server's render and the browser's hydration agree.
 *
 * @example 10 groups of 30 steps nested 5 deep (bench/lib/nested-definition.ts), budget 48:
 *   the 10 group cards, then the first 6 groups open (46 cards); the other 4 groups and every
 *   block inside the open ones start collapsed. 1,000 steps (33 groups and 10 leaves): the 43
 *   cards at the top, every group collapsed.
 */
export function initialCollapsed(steps: readonly TStep[], budget: number = OPEN_CARD_BUDGET): Set<string> {
  const collapsed = new Set<string>();
  const inside = (step: TStep) =>
    nestedPipes(step).reduce((n, pipe) => n + drawnCount(pipe.steps.length, undefined), 0);
  // Of a long pipe only the first cards are drawn (pipe-window.ts); a block further down starts
  // collapsed, so scrolling to it draws its card, not everything it holds.
  const drawn = (pipe: readonly TStep[]) => {
    const count = drawnCount(pipe.length, undefined);
    for (const step of pipe.slice(count)) if (inside(step) > 0) collapsed.add(step.id);
    return pipe.slice(0, count);
  };
  let level = drawn(steps);
  let shown = level.length;
  while (level.length > 0) {
    const next: TStep[] = [];
    for (const step of level) {
      const cards = inside(step);
      if (cards === 0) continue;
      if (shown + cards > budget) {
        collapsed.add(step.id);
        continue;
      }
      shown += cards;
      for (const pipe of nestedPipes(step)) next.push(...drawn(pipe.steps));
    }
    level = next;
  }
  return collapsed;
}

/** How many cards the page draws with these blocks collapsed and the long pipes' first cards drawn. */
export function shownCardCount(
  steps: readonly TStep[],
  collapsed: ReadonlySet<string>,
  shownInPipe: ReadonlyMap<TPipeId, number> = new Map(),
): number {
  let count = 0;
  const visit = (pipe: readonly TStep[], pipeId: TPipeId) => {
    for (const step of pipe.slice(0, drawnCount(pipe.length, shownInPipe.get(pipeId)))) {
      count++;
      if (!collapsed.has(step.id))
        for (const nested of nestedPipes(step)) visit(nested.steps, pipeIdOf(step.id, nested.path));
    }
  };
  visit(steps, ROOT_PIPE);
  return count;
}

/** Opens a block and every block inside it ("expand" shows all it holds). Returns the same set when nothing changes. */
export function expandBlock(
  steps: readonly TStep[],
  collapsed: ReadonlySet<string>,
  stepId: string,
): ReadonlySet<string> {
  const block = findStepTrail(steps, stepId)?.step;
  if (!block) return collapsed;
  const next = new Set(collapsed);
  forEachNestedStep(block, (inner) => next.delete(inner.id));
  return next.size === collapsed.size ? collapsed : next;
}

/** Collapses a block (its cards leave the page). */
export function collapseBlock(collapsed: ReadonlySet<string>, stepId: string): ReadonlySet<string> {
  return collapsed.has(stepId) ? collapsed : new Set(collapsed).add(stepId);
}

/**
 * Opens the blocks that hold a step, outermost first, so its card is on the page (a problem
 * picked, a step selected in the graph, a paste or insertion into a collapsed block). Each
 * block opened shows everything it holds, as an expand click does.
 */
export function revealStep(
  steps: readonly TStep[],
  collapsed: ReadonlySet<string>,
  stepId: string,
): ReadonlySet<string> {
  const trail = findStepTrail(steps, stepId);
  if (!trail) return collapsed;
  let next = collapsed;
  for (const { step } of trail.ancestors) if (next.has(step.id)) next = expandBlock(steps, next, step.id);
  return next;
}

/** Opens the block that owns a pipe and the blocks around it (a step is being placed there). */
export function revealPipe(
  steps: readonly TStep[],
  collapsed: ReadonlySet<string>,
  pipeId: TPipeId,
): ReadonlySet<string> {
  const owner = pipeOwner(pipeId);
  if (!owner) return collapsed;
  const next = revealStep(steps, collapsed, owner);
  return next.has(owner) ? expandBlock(steps, next, owner) : next;
}
