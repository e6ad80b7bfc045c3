'use client';

import type { BeforeCapture, DraggableStateSnapshot, DragStart, DropResult } from '@hello-pangea/dnd';
import { useCallback, useRef, type CSSProperties, type PointerEvent as ReactPointerEvent } from 'react';
import type { TCanvasStore } from '@/components/designer/canvas/canvas-store';
import { ROOT_PIPE, type TPipePosition } from '@/components/designer/canvas/definition-edits';

function contains(element: Element, x: number, y: number): boolean {
  const box = element.getBoundingClientRect();
  return x >= box.left && x <= box.right && y >= box.top && y <= box.bottom;
}

/**
 * The innermost pipe under a point, looking through the card being dragged; 'none' when the
 * point is over no pipe. Worked out from the boxes of the pipes and cards as drawn (the
 * library's transforms included), walking down from the root pipe: a box read only needs
 * layout, where a hit test (`elementsFromPoint`) makes the browser prepare the whole frame for
 * painting first, every frame of the drag.
 */
function innermostPipeAt(x: number, y: number, draggingId: string): string {
  const root = document.querySelector<HTMLElement>(`[data-pipe-id="${ROOT_PIPE}"]`);
  if (!root || !contains(root, x, y)) return 'none';
  let pipe: HTMLElement = root;
  for (;;) {
    const card: HTMLElement | undefined = [...pipe.querySelectorAll<HTMLElement>(':scope > [data-step-id]')].find(
      (element) => element.dataset.stepId !== draggingId && contains(element, x, y),
    );
    const inner: HTMLElement | undefined = card
      ? [...card.querySelectorAll<HTMLElement>(':scope > [data-nested-pipes] [data-pipe-id]')].find(
          (element) => element.closest('[data-step-id]') === card && contains(element, x, y),
        )
      : undefined;
    if (!inner) return pipe.dataset.pipeId ?? 'none';
    pipe = inner;
  }
}

/** The pipe a card is drawn in. */
function homePipeOf(card: HTMLElement | null | undefined): string | undefined {
  return card?.parentElement?.dataset.pipeId;
}

/**
 * Where a mouse drop lands, decided from the pointer and the cards as they are on screen
 * during the drag: the innermost pipe under the pointer, before its first card (other than the one
 * dragged) whose middle is below the pointer. The dnd library measures lists when a drag
 * starts, and nested pipes move as the dragged step leaves its place, so its own destination
 * can name the pipe next to the one under the pointer. Null when the pointer is over no pipe.
 */
function pointerDropTarget(x: number, y: number, draggingId: string): TPipePosition | null {
  const pipeId = innermostPipeAt(x, y, draggingId);
  if (pipeId === 'none') return null;
  const pipe = document.querySelector<HTMLElement>(`[data-pipe-id="${CSS.escape(pipeId)}"]`);
  if (!pipe) return null;
  let index = 0;
  for (const cardElement of pipe.querySelectorAll<HTMLElement>(':scope > [data-step-id]')) {
    if (cardElement.dataset.stepId === draggingId) continue;
    const box = cardElement.getBoundingClientRect();
    if (box.top + box.height / 2 >= y) break;
    index++;
  }
  return { pipeId, index };
}

/**
 * A dragged card's style. While it follows the pointer it gets a compositing layer of its own
 * (`will-change: transform`): the library moves it with a new `transform` every frame, and
 * without a layer the browser repainted the cards under it and the card itself (shadow
 * included) each frame. After a mouse drag there is no drop animation: it glides the card to
 * where the library would have put it (not always the pipe under the pointer, see above) and
 * holds the move back until it ends. A keyboard drop keeps it.
 */
export function draggedCardStyle(
  style: CSSProperties | undefined,
  snapshot: DraggableStateSnapshot,
): CSSProperties | undefined {
  if (snapshot.isDropAnimating && snapshot.mode === 'FLUID') return { ...style, transitionDuration: '0.001s' };
  if (snapshot.isDragging && !snapshot.isDropAnimating) return { ...style, willChange: 'transform' };
  return style;
}

/**
 * The canvas's drag and drop: which pipe lights up under the pointer (every other pipe is
 * disabled, as the library cannot tell nested lists of one type apart) and where a drop lands.
 * A mouse drop goes where the pointer is on screen; a keyboard drop where the library moved it.
 */
export function useStepDrag({
  store,
  readOnly,
  onDrop,
}: {
  store: TCanvasStore;
  readOnly: boolean;
  onDrop: (draggableId: string, to: TPipePosition) => void;
}) {
  const stopTracking = useRef<(() => void) | null>(null);
  const dragging = useRef(false);
  /**
   * Where the mouse drag in progress would land, from the screen as the person sees it at the
   * last move (at the drop the library has already put the cards back); undefined for keyboard drags.
   */
  const mouseTarget = useRef<TPipePosition | null | undefined>(undefined);

  /**
   * A press on a card's drag handle opens the card's own pipe for the drop already, a frame or
   * more before the pointer has moved far enough for the library to lift: the pipe's re-render
   * then stays out of the lift's frame, which is over one frame's time as it is (the library
   * measures every card and pipe in it). A press that does not become a drag closes it again.
   */
  const onPointerDown = useCallback(
    (event: ReactPointerEvent) => {
      if (readOnly || !event.isPrimary || event.button !== 0 || dragging.current) return;
      const handle = (event.target as Element).closest('[data-rfd-drag-handle-draggable-id]');
      const home = homePipeOf(handle?.closest<HTMLElement>('[data-step-id]'));
      if (!home || store.get().hoverPipe === home) return;
      store.set({ hoverPipe: home });
      const release = () => {
        window.removeEventListener('pointerup', release, { capture: true });
        window.removeEventListener('pointercancel', release, { capture: true });
        if (!dragging.current && store.get().hoverPipe === home) store.set({ hoverPipe: 'none' });
      };
      window.addEventListener('pointerup', release, { capture: true });
      window.addEventListener('pointercancel', release, { capture: true });
    },
    [readOnly, store],
  );

  /**
   * Before the library measures the lists (it runs this inside flushSync). A mouse drag starts
   * over the card's own pipe, so only that one is opened now (most often the press already did),
   * and the library measures the pipes as they will be; a keyboard drag moves from list to list
   * by itself, so every pipe is opened for it (and closed again after its drop).
   */
  const onBeforeCapture = useCallback(
    ({ draggableId, mode }: BeforeCapture) => {
      dragging.current = true;
      if (mode !== 'FLUID') return store.set({ hoverPipe: null, dragging: true });
      const home = homePipeOf(document.querySelector<HTMLElement>(`[data-step-id="${CSS.escape(draggableId)}"]`));
      store.set({ hoverPipe: home ?? 'none', dragging: true });
    },
    [store],
  );

  const onDragStart = useCallback(
    ({ draggableId, mode }: DragStart) => {
      mouseTarget.current = undefined;
      if (mode !== 'FLUID') return; // keyboard drags move from list to list by themselves
      let frame = 0;
      const track = (event: MouseEvent) => {
        const { clientX, clientY } = event;
        cancelAnimationFrame(frame);
        // Once per frame, not per mouse event: the hit test reads layout the library is animating.
        frame = requestAnimationFrame(() => {
          mouseTarget.current = pointerDropTarget(clientX, clientY, draggableId);
          const hoverPipe = mouseTarget.current?.pipeId ?? 'none';
          if (store.get().hoverPipe !== hoverPipe) store.set({ hoverPipe });
        });
      };
      // pointerup comes before the mouseup the library drops on, with the screen still as the
      // person saw it: the target is worked out once more there, so a release in the same frame
      // as the last move does not land where the pointer was a frame before.
      const release = (event: PointerEvent) => {
        cancelAnimationFrame(frame);
        mouseTarget.current = pointerDropTarget(event.clientX, event.clientY, draggableId);
      };
      window.addEventListener('mousemove', track, { capture: true, passive: true });
      window.addEventListener('pointerup', release, { capture: true, passive: true });
      stopTracking.current = () => {
        cancelAnimationFrame(frame);
        window.removeEventListener('mousemove', track, { capture: true });
        window.removeEventListener('pointerup', release, { capture: true });
      };
    },
    [store],
  );

  const onDragEnd = useCallback(
    ({ draggableId, destination, reason }: DropResult) => {
      stopTracking.current?.();
      stopTracking.current = null;
      // After a drag the pipes open for it close again, once the drop is on screen (a mouse drag's
      // last pipe too: while one is open the insertion point is not drawn).
      dragging.current = false;
      store.set({ dragging: false });
      if (store.get().hoverPipe !== 'none')
        setTimeout(() => !dragging.current && store.set({ hoverPipe: 'none' }), 100);
      const fromMouse = mouseTarget.current;
      mouseTarget.current = undefined;
      if (readOnly || reason !== 'DROP') return;
      const to =
        fromMouse !== undefined
          ? fromMouse
          : destination
            ? { pipeId: destination.droppableId, index: destination.index }
            : null;
      if (to) onDrop(draggableId, to);
    },
    [onDrop, readOnly, store],
  );

  return { onPointerDown, onBeforeCapture, onDragStart, onDragEnd };
}
