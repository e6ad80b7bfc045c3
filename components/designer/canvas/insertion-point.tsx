'use client';

import { CardIcon } from '@/components/designer/canvas/card-icons';
import { useCanvas } from '@/components/designer/canvas/canvas-context';
import { useCanvasSelector } from '@/components/designer/canvas/canvas-store';
import type { TPipeId } from '@/components/designer/canvas/definition-edits';

/**
 * The line where a palette click (or a paste without a focused step) inserts: drawn over the
 * gap above the card at the insertion point, or below the last card when it is the pipe's end.
 * Absolutely placed so the cards do not move (the drag library measures them), and hidden
 * during a drag, which shows its own drop place.
 */
export function InsertionLine({ pipeId, index, last }: { pipeId: TPipeId; index: number; last: boolean }) {
  const { store, readOnly } = useCanvas();
  const where = useCanvasSelector(store, (state) => {
    const target = state.target;
    if (readOnly || state.hoverPipe !== 'none' || target?.pipeId !== pipeId) return null;
    if (target.index === index) return 'before';
    return last && target.index > index ? 'after' : null;
  });
  if (!where) return null;
  return (
    <span
      data-testid="insertion-point"
      className={`pointer-events-none absolute inset-x-2 z-10 flex items-center ${where === 'before' ? '-top-[7px]' : '-bottom-[7px]'}`}
    >
      <span className="h-0.5 flex-1 rounded bg-accent" />
      <span className="ml-1 rounded-full bg-accent px-1.5 text-[10px] leading-4 font-medium text-white">
        New steps go here
      </span>
    </span>
  );
}

/** A nested pipe's heading with its "+": a click makes the end of that pipe the insertion point. */
export function PipeHeading({ pipeId, label, title }: { pipeId: TPipeId; label: string; title: string }) {
  const { readOnly, commands } = useCanvas();
  return (
    <div className="mb-1.5 flex items-center gap-1">
      <h4 className="flex-1 text-[11px] font-semibold tracking-wide text-ink-faint uppercase">{label}</h4>
      {!readOnly && (
        <button
          type="button"
          aria-label={`Add steps at the end of ${title}`}
          title="New steps go at the end of this branch"
          onClick={() => commands.setTarget({ pipeId, index: Number.MAX_SAFE_INTEGER })}
          className="flex size-6 items-center justify-center rounded text-ink-faint hover:bg-subtle hover:text-accent focus-visible:ring-2 focus-visible:ring-accent focus-visible:outline-none"
        >
          <CardIcon name="plus" className="size-3.5" />
        </button>
      )}
    </div>
  );
}
