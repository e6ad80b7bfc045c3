'use client';

import { Plus } from 'lucide-react';
import { CardIcon } from '@/components/designer/canvas/card-icons';
import { useCanvas } from '@/components/designer/canvas/canvas-context';
import { useCanvasSelector } from '@/components/designer/canvas/canvas-store';
import type { TPipeId } from '@/components/designer/canvas/definition-edits';
import { cx } from '@/components/ui/cx';

/** An empty pipe's drop area, a button that makes it the insertion point. */
export function EmptyPipe({ pipeId }: { pipeId: TPipeId }) {
  const { store, readOnly, commands } = useCanvas();
  const targeted = useCanvasSelector(store, (state) => state.target?.pipeId === pipeId && state.selectedId === null);
  if (readOnly) return <p className="px-2 py-1.5 text-[12px] text-ink-faint">No steps.</p>;
  return (
    <button
      type="button"
      onClick={() => commands.targetPipe(pipeId)}
      aria-pressed={targeted}
      data-empty-pipe={pipeId}
      className={cx(
        'flex w-full items-center justify-center gap-1.5 rounded-md border border-dashed px-2 py-2 text-[12px]',
        targeted
          ? 'border-accent bg-accent-soft text-accent'
          : 'border-line-strong text-ink-faint hover:border-accent hover:text-accent',
      )}
    >
      <Plus className="size-3.5" aria-hidden />
      {targeted ? 'New steps go here' : 'Drop a step here, or click to add here'}
    </button>
  );
}

/**
 * What a collapsed block shows instead of its pipes (which are not rendered, so nothing can be
 * dropped inside it: a drop over it lands before or after it): how many steps it holds, and a
 * button that opens it with every block inside.
 */
export function CollapsedRow({ stepId, count }: { stepId: string; count: number }) {
  const { commands } = useCanvas();
  return (
    <button
      type="button"
      data-collapsed-row={stepId}
      onClick={(event) => {
        event.stopPropagation();
        commands.setBlockOpen(stepId, true);
      }}
      className="mx-2 mb-2 flex w-[calc(100%-1rem)] min-w-0 items-center gap-1.5 rounded-md border border-dashed border-line-strong px-2 py-1.5 text-left text-[12px] text-ink-muted hover:border-accent hover:text-accent focus-visible:ring-2 focus-visible:ring-accent focus-visible:outline-none"
    >
      <CardIcon name="chevron-right" className="size-3.5 shrink-0" />
      <span className="truncate">
        {count} step{count === 1 ? '' : 's'} inside, collapsed: show
      </span>
    </button>
  );
}
