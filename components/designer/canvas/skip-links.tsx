'use client';

const LINK =
  'sr-only rounded-md bg-surface px-3 py-1.5 text-sm font-medium text-accent shadow focus:not-sr-only focus:ring-2 focus:ring-accent focus:outline-none';

/** Moves focus to the first element `selector` finds (a skip link's target), or says nothing when it is not shown. */
function focusFirst(selector: string): void {
  document.querySelector<HTMLElement>(selector)?.focus();
}

/**
 * "Skip to …" links at the top of the designer, shown when focused: to the palette's search
 * (past the toolbar) and to the first step card (past the palette's fifty buttons).
 */
export function DesignerSkipLinks({ readOnly }: { readOnly: boolean }) {
  return (
    <nav aria-label="Skip links" className="flex gap-2 empty:hidden">
      {!readOnly && (
        <a
          href="#step-palette-search"
          className={LINK}
          onClick={(event) => {
            event.preventDefault();
            // Below the wide layout the palette is folded: open it first.
            const toggle = document.querySelector<HTMLElement>('[aria-controls="step-palette-body"]');
            if (toggle?.offsetParent && toggle.getAttribute('aria-expanded') === 'false') toggle.click();
            requestAnimationFrame(() => focusFirst('#step-palette-search'));
          }}
        >
          Skip to the step palette
        </a>
      )}
      <a
        href="#designer-canvas"
        className={LINK}
        onClick={(event) => {
          event.preventDefault();
          focusFirst('[data-step-header], [data-empty-pipe]');
        }}
      >
        Skip to the steps
      </a>
    </nav>
  );
}
