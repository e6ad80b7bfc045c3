'use client';

import { stepsOfPipe, type TPipePosition } from '@/components/designer/canvas/definition-edits';
import type { TStep } from '@/model/definition/step';

/**
 * Moves keyboard focus to a step card's header once the card exists: after the next paint, or
 * a few frames later when the card is in a block being opened for it (a render of its pipes
 * after an update React did not flush at once, as after a paste's clipboard read).
 */
export function focusCard(stepId: string, framesLeft = 10): void {
  requestAnimationFrame(() => {
    const header = document.querySelector<HTMLElement>(`[data-step-header="${CSS.escape(stepId)}"]`);
    if (!header) {
      if (framesLeft > 0) focusCard(stepId, framesLeft - 1);
      return;
    }
    header.scrollIntoView({ block: 'nearest' });
    header.focus({ preventScroll: true });
  });
}

/**
 * Where focus goes once the step at `from` is gone (`steps` is the tree without it): the step
 * that took its place, else the one before it, else the emptied pipe's "add here" button, so
 * a keyboard user is never dropped back at the top of the page.
 */
export function focusAfterRemoval(steps: readonly TStep[], from: TPipePosition): void {
  const pipe = stepsOfPipe(steps, from.pipeId) ?? [];
  const neighbour = pipe[from.index] ?? pipe[from.index - 1];
  if (neighbour) return focusCard(neighbour.id);
  requestAnimationFrame(() => {
    const empty = document.querySelector<HTMLElement>(`[data-empty-pipe="${CSS.escape(from.pipeId)}"]`);
    empty?.focus();
  });
}

/** True in a text field, where the browser's own keys (text undo, paste) stay in charge. */
export function isTextField(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
  );
}

/**
 * Where a walk through the cards with the arrow keys goes past a long pipe's cards not drawn
 * yet (pipe-rest.tsx): when such a placeholder lies between `here` and `there` (the next drawn
 * header that way, or none), the first step it stands for going down, its pipe's last step
 * going up. Null when the walk does not cross one.
 */
export function undrawnBetween(
  here: HTMLElement,
  there: HTMLElement | undefined,
  down: boolean,
  steps: readonly TStep[],
): string | null {
  const after = (a: Node, b: Node) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
  const crossed = [...document.querySelectorAll<HTMLElement>('[data-pipe-rest]')].filter((rest) =>
    down ? after(here, rest) && (!there || after(rest, there)) : after(rest, here) && (!there || after(there, rest)),
  );
  const rest = down ? crossed[0] : crossed.at(-1);
  if (!rest) return null;
  const pipe = stepsOfPipe(steps, rest.dataset.pipeRest ?? '') ?? [];
  const step = down ? pipe[Number(rest.dataset.drawn)] : pipe.at(-1);
  return step?.id ?? null;
}
