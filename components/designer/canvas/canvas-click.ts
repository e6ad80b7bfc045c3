'use client';

import { ROOT_PIPE, type TPipeId } from '@/components/designer/canvas/definition-edits';

/**
 * The pipe a click on empty canvas points at, so the next palette click adds at its end: the
 * canvas's own background is the top-level pipe, a pipe's blank area or a branch's heading
 * that branch. Null for a click on a card, a button or anything else that has a job.
 */
export function pipeOfBlankClick(target: EventTarget | null, canvas: HTMLElement): TPipeId | null {
  if (!(target instanceof HTMLElement)) return null;
  if (target === canvas) return ROOT_PIPE;
  if (target.closest('[data-step-header], button, a, input, textarea, select, [role="menu"]')) return null;
  if (target.dataset.pipeId) return target.dataset.pipeId;
  const section = target.closest('section');
  if (section && canvas.contains(section) && (target === section || target.tagName === 'H4'))
    return section.querySelector<HTMLElement>(':scope > [data-pipe-id]')?.dataset.pipeId ?? null;
  return null;
}
