'use client';

import { useCallback, useState, type RefObject } from 'react';
import { useCanvasSelector, type TCanvasStore } from '@/components/designer/canvas/canvas-store';
import { collapseBlock, expandBlock, revealPipe, revealStep } from '@/components/designer/canvas/collapse-plan';
import { showStep, showThrough } from '@/components/designer/canvas/pipe-window';
import { locateStep, pipeOwner, ROOT_PIPE, type TPipePosition } from '@/components/designer/canvas/definition-edits';
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

  /**
   * Puts a step's card on the page: opens the collapsed blocks that hold it and draws the long
   * pipes on the way down to it. Every way to a step (a click, a picked problem, the graph,
   * the keyboard past a long pipe's drawn cards) selects or focuses it through here.
   */
  const reveal = useCallback(
    (stepId: string) => {
      const { collapsed, shownInPipe } = store.get();
      const nextCollapsed = collapsed.size === 0 ? collapsed : revealStep(stepsRef.current, collapsed, stepId);
      const nextShown = showStep(stepsRef.current, shownInPipe, stepId);
      if (nextCollapsed !== collapsed || nextShown !== shownInPipe)
        store.set({ collapsed: nextCollapsed, shownInPipe: nextShown });
    },
    [store, stepsRef],
  );
  /** Draws a long pipe's cards up to `count` (its placeholder came near the window, or was clicked). */
  const showInPipe = useCallback(
    (pipeId: string, count: number) => {
      const { shownInPipe } = store.get();
      const next = showThrough(shownInPipe, pipeId, count - 1);
      if (next !== shownInPipe) store.set({ shownInPipe: next });
    },
    [store],
  );
  /** Opens (with every block inside it) or collapses a block. */
  const setBlockOpen = useCallback(
    (stepId: string, open: boolean) => {
      const { collapsed } = store.get();
      const next = open ? expandBlock(stepsRef.current, collapsed, stepId) : collapseBlock(collapsed, stepId);
      if (next !== collapsed) store.set({ collapsed: next });
    },
    [store, stepsRef],
  );
  /** Selects a step (null: the workflow's settings); the insertion point moves right after it. */
  const select = useCallback(
    (stepId: string | null, path: string | null = null) => {
      setFocusPath(path);
      const at = stepId ? locateStep(stepsRef.current, stepId) : null;
      if (stepId) reveal(stepId);
      store.set({ selectedId: stepId, target: at ? { pipeId: at.pipeId, index: at.index + 1 } : END_OF_ROOT });
    },
    [reveal, store, stepsRef],
  );
  /**
   * Selects a step just placed (inserted, pasted, duplicated); the next one goes at `target`,
   * the pipe it was placed in, which is opened if it was collapsed (the edit placing it is
   * queued, not applied yet, so the step itself cannot be looked up).
   */
  const selectPlaced = useCallback(
    (stepId: string, target: TPipePosition = END_OF_ROOT) => {
      setFocusPath(null);
      const { collapsed, shownInPipe } = store.get();
      const owner = pipeOwner(target.pipeId);
      store.set({
        selectedId: stepId,
        target,
        collapsed: collapsed.size === 0 ? collapsed : revealPipe(stepsRef.current, collapsed, target.pipeId),
        shownInPipe: showThrough(
          owner ? showStep(stepsRef.current, shownInPipe, owner) : shownInPipe,
          target.pipeId,
          Math.max(0, target.index - 1),
        ),
      });
    },
    [store, stepsRef],
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

  return {
    selectedId,
    focusPath,
    reveal,
    setBlockOpen,
    showInPipe,
    select,
    selectPlaced,
    targetPipe,
    setTarget,
    renameSelected,
    insertionPoint,
  };
}

export type TSelection = ReturnType<typeof useSelection>;
