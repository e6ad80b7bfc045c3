'use client';

import { useCallback, useMemo, useRef, useState } from 'react';
import { createHistory, pushHistory, redoHistory, undoHistory } from '@/components/designer/canvas/history';
import type { TStep } from '@/model/definition/step';
import type { TVersionDocumentInput } from '@/model/definition/version-document';

/**
 * The document being edited, with undo/redo over every change. `stepsRef` always holds the
 * latest steps, for callbacks that must stay stable (the memoized cards keep them).
 */
export function useDesignerHistory(initial: TVersionDocumentInput) {
  const [history, setHistory] = useState(() => createHistory(initial));
  const document = history.present;
  const steps = useMemo(() => (document.steps ?? []) as TStep[], [document.steps]);
  const stepsRef = useRef(steps);
  stepsRef.current = steps;

  /** Applies an edit to the steps; edits with the same `group` within a second are one undo step. */
  const editSteps = useCallback((change: (steps: TStep[]) => TStep[], group?: string) => {
    setHistory((current) => {
      const before = (current.present.steps ?? []) as TStep[];
      const after = change(before);
      return after === before ? current : pushHistory(current, { ...current.present, steps: after }, { group });
    });
  }, []);
  /** Replaces the whole document (workflow settings: inputs, env, limits). */
  const editDocument = useCallback((next: TVersionDocumentInput, group: string) => {
    setHistory((current) => pushHistory(current, next, { group }));
  }, []);
  const undo = useCallback(() => setHistory(undoHistory), []);
  const redo = useCallback(() => setHistory(redoHistory), []);

  return {
    document,
    steps,
    stepsRef,
    editSteps,
    editDocument,
    undo,
    redo,
    canUndo: history.past.length > 0,
    canRedo: history.future.length > 0,
  };
}
