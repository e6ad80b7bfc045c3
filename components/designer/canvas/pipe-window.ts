import { pipeIdOf, ROOT_PIPE, type TPipeId } from '@/components/designer/canvas/definition-edits';
import { findStepTrail } from '@/model/designer/step-tree';
import type { TStep } from '@/model/definition/step';

/** A pipe with more steps than this draws only its first ones, and a placeholder for the rest. */
export const LONG_PIPE = 60;
/** How many more cards a long pipe draws each time its placeholder comes near the window. */
export const PIPE_CHUNK = 40;
/** The placeholder's height per card not drawn: a one-line card (58 px) and the gap under it. */
export const CARD_ESTIMATE_PX = 66;

/**
 * How many of a pipe's cards are drawn: all of a short pipe; of a long one, the first
 * `shown` (PIPE_CHUNK until it grows). Always a prefix, so the drawn cards' indexes are the
 * steps' own (the drag library needs consecutive indexes from 0, and a drop's index is the step's).
 */
export function drawnCount(length: number, shown: number | undefined): number {
  if (length <= LONG_PIPE) return length;
  return Math.min(length, shown ?? PIPE_CHUNK);
}

/** The drawn counts with `pipeId` drawing at least through `index` (rounded up to a chunk). Same map when it already does. */
export function showThrough(
  shown: ReadonlyMap<TPipeId, number>,
  pipeId: TPipeId,
  index: number,
): ReadonlyMap<TPipeId, number> {
  const now = shown.get(pipeId) ?? PIPE_CHUNK;
  if (index < now) return shown;
  return new Map(shown).set(pipeId, Math.ceil((index + 1) / PIPE_CHUNK) * PIPE_CHUNK);
}

/** The drawn counts with every pipe on the way to a step drawing far enough to hold it. */
export function showStep(
  steps: readonly TStep[],
  shown: ReadonlyMap<TPipeId, number>,
  stepId: string,
): ReadonlyMap<TPipeId, number> {
  const trail = findStepTrail(steps, stepId);
  if (!trail) return shown;
  let next = shown;
  let pipeId = ROOT_PIPE;
  for (const ancestor of trail.ancestors) {
    next = showThrough(next, pipeId, ancestor.index);
    pipeId = pipeIdOf(ancestor.step.id, ancestor.pipe.path);
  }
  return showThrough(next, pipeId, trail.earlier.length);
}
