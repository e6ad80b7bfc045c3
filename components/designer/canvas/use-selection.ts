'use client';

import { useCallback, useState, type RefObject } from 'react';
import { useCanvasSelector, type TCanvasStore } from '@/components/designer/canvas/canvas-store';
import { locateStep, ROOT_PIPE, type TPipePosition } from '@/components/designer/canvas/definition-edits';
import type { TStep } from '@/model/definition/step';

const END_OF_ROOT: TPipePosition = { pipeId: ROOT_PIPE, index: Number.MAX_SAFE_INTEGER };

/**
 * Which step is selected and where the next inserted step goes. The selection is held once, in
 * the canvas store (which the cards read), and read here through a selector; `focusPath` is the
 * config field a picked problem asks the panel to focus.
 */
export function useSelection({ store, stepsRef }: { store: TCanvasStore; stepsRef: RefObject<TStep[]> }) {
  const selectedId = useCanvasSelector(store, (state) => state.selectedId);
  const [focusPath, setFocusPath] = useState<string | null>(null);

  /** Selects a step (null: the workflow's settings); the insertion point moves right after it. */
  const select = useCallback(
    (stepId: string | null, path: string | null = null) => {
      setFocusPath(path);
      const at = stepId ? locateStep(stepsRef.current, stepId) : null;
      store.set({ selectedId: stepId, target: at ? { pipeId: at.pipeId, index: at.index + 1 } : END_OF_ROOT });
    },
    [store, stepsRef],
  );
  /** Selects a step just placed (inserted, pasted, duplicated); the next one goes at `target`. */
  const selectPlaced = useCallback(
    (stepId: string, target: TPipePosition = END_OF_ROOT) => {
      setFocusPath(null);
      store.set({ selectedId: stepId, target });
    },
    [store],
  );
  /** Makes the start of an (empty) pipe the place the next step goes. */
  const targetPipe = useCallback(
    (pipeId: string) => store.set({ selectedId: null, target: { pipeId, index: 0 } }),
    [store],
  );
  /** Moves the insertion point (a click on empty canvas, a pipe's "+", the place a removed step left). */
  const setTarget = useCallback((target: TPipePosition) => store.set({ target }), [store]);
  /** Follows a rename of the selected step. */
  const renameSelected = useCallback((stepId: string) => store.set({ selectedId: stepId }), [store]);
  const insertionPoint = useCallback(() => store.get().target ?? END_OF_ROOT, [store]);

  return { selectedId, focusPath, select, selectPlaced, targetPipe, setTarget, renameSelected, insertionPoint };
}

export type TSelection = ReturnType<typeof useSelection>;
