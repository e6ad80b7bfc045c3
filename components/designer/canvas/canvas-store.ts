'use client';

import { useSyncExternalStore } from 'react';
import type { TPipePosition } from '@/components/designer/canvas/definition-edits';

/**
 * What every card needs to know besides its own step: which step is selected, where the next
 * inserted step goes, and how many problems each step has. It lives outside React state so a
 * selection change re-renders the two cards whose answer changed, not the 300-step tree.
 */
export type TCanvasState = {
  selectedId: string | null;
  /** Where palette clicks and paste insert; follows the selection (right after it). */
  target: TPipePosition | null;
  problemCounts: ReadonlyMap<string, number>;
  /** The step whose "⋯" menu is open (its button, a right-click or the context-menu key opened it). */
  menuFor: string | null;
  /**
   * The one pipe open for a drop: during a pointer drag the innermost pipe under the pointer
   * ('none': the pointer is over no pipe, and so between drags); null opens every pipe, for a
   * keyboard drag. @hello-pangea/dnd does not support nested lists of one type (of several
   * lists under the pointer it takes the one furthest from the start), so every other pipe is
   * disabled and the library only ever sees the one the person points at. Between drags the
   * pipes stay disabled: it only matters during a drag, and opening 150 pipes at every drop and
   * closing them at the next lift would re-render them all twice (see useStepDrag).
   */
  hoverPipe: string | null;
  /**
   * The blocks shown collapsed: their cards are not on the page (collapse-plan.ts). A big
   * workflow opens with blocks past a card budget collapsed; selecting a step inside one opens it.
   */
  collapsed: ReadonlySet<string>;
  /** How many cards each long pipe draws, where it has grown past its first chunk (pipe-window.ts). */
  shownInPipe: ReadonlyMap<string, number>;
  /** A drag is in progress: long pipes do not grow then (the drag library measured the cards at the lift). */
  dragging: boolean;
};

export type TCanvasStore = {
  get: () => TCanvasState;
  set: (change: Partial<TCanvasState>) => void;
  subscribe: (listener: () => void) => () => void;
};

export function createCanvasStore(initial: TCanvasState): TCanvasStore {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set: (change) => {
      state = { ...state, ...change };
      for (const listener of listeners) listener();
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A slice of the canvas state; the component re-renders only when the slice (a primitive) changes. */
export function useCanvasSelector<T>(store: TCanvasStore, select: (state: TCanvasState) => T): T {
  return useSyncExternalStore(
    store.subscribe,
    () => select(store.get()),
    () => select(store.get()),
  );
}
