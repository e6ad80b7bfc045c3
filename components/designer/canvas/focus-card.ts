'use client';

import { stepsOfPipe, type TPipePosition } from '@/components/designer/canvas/definition-edits';
import type { TStep } from '@/model/definition/step';

/** Moves keyboard focus to a step card's header (after the next paint, once the card exists). */
export function focusCard(stepId: string): void {
  requestAnimationFrame(() => {
    const header = document.querySelector<HTMLElement>(`[data-step-header="${CSS.escape(stepId)}"]`);
    header?.scrollIntoView({ block: 'nearest' });
    header?.focus({ preventScroll: true });
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
