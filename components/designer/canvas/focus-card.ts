'use client';

/** Moves keyboard focus to a step card's header (after the next paint, once the card exists). */
export function focusCard(stepId: string): void {
  requestAnimationFrame(() => {
    const header = document.querySelector<HTMLElement>(`[data-step-header="${CSS.escape(stepId)}"]`);
    header?.scrollIntoView({ block: 'nearest' });
    header?.focus({ preventScroll: true });
  });
}

/** True in a text field, where the browser's own keys (text undo, paste) stay in charge. */
export function isTextField(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
  );
}
