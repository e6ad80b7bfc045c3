'use client';

import { ChevronsDown } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { useCanvas } from '@/components/designer/canvas/canvas-context';
import { useCanvasSelector } from '@/components/designer/canvas/canvas-store';
import type { TPipeId } from '@/components/designer/canvas/definition-edits';
import { CARD_ESTIMATE_PX, PIPE_CHUNK } from '@/components/designer/canvas/pipe-window';

/** How far below the window a long pipe's placeholder starts drawing the next cards. */
const AHEAD = '800px';

/**
 * The part of a long pipe not drawn yet: a light block about as tall as its cards would be, so
 * the page scrolls as it will, with a button that draws the next cards (keyboard and screen
 * readers reach it with Tab). Coming within a screen of the window draws them too, except
 * during a drag: the drag library measured the cards at the lift and takes none added then, so
 * a drop over this block lands after the last card drawn.
 */
export function PipeRest({ pipeId, drawn, left }: { pipeId: TPipeId; drawn: number; left: number }) {
  const { store, commands } = useCanvas();
  const dragging = useCanvasSelector(store, (state) => state.dragging);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (dragging || !element) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) commands.showInPipe(pipeId, drawn + PIPE_CHUNK);
      },
      { rootMargin: `${AHEAD} 0px ${AHEAD} 0px` },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [commands, dragging, drawn, pipeId]);
  const next = Math.min(left, PIPE_CHUNK);
  return (
    <div
      ref={ref}
      data-pipe-rest={pipeId}
      data-drawn={drawn}
      style={{ height: left * CARD_ESTIMATE_PX }}
      className="rounded-lg border border-dashed border-line bg-subtle/40 p-2"
    >
      <button
        type="button"
        onClick={(event) => {
          event.stopPropagation();
          commands.showInPipe(pipeId, drawn + PIPE_CHUNK);
        }}
        className="flex w-full min-w-0 items-center justify-center gap-1.5 rounded-md px-2 py-1.5 text-[12px] text-ink-muted hover:bg-subtle hover:text-accent focus-visible:ring-2 focus-visible:ring-accent focus-visible:outline-none"
      >
        <ChevronsDown className="size-3.5 shrink-0" aria-hidden />
        <span className="truncate">
          {left} more step{left === 1 ? '' : 's'}: show the next {next}
        </span>
      </button>
    </div>
  );
}
