'use client';

import { useCallback, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { cardKeyIntent } from '@/components/designer/canvas/card-keys';
import {
  copyWithNewIds,
  duplicateStep,
  insertStep,
  locateStep,
  removeStep,
  shiftStep,
} from '@/components/designer/canvas/definition-edits';
import { focusCard, isTextField } from '@/components/designer/canvas/focus-card';
import type { TSelection } from '@/components/designer/canvas/use-selection';
import type { TStep } from '@/model/definition/step';
import { allStepIds } from '@/model/designer/step-tree';

export type TDesignerNotice = { tone: 'success' | 'danger'; text: string };

/**
 * What can be done to a step from the keyboard (and the clipboard): the card keys (select,
 * focus, move, duplicate, cut, paste, delete after asking) and the designer's own (undo, redo,
 * paste into the insertion point).
 */
export function useStepCommands({
  stepsRef,
  editSteps,
  selection,
  readOnly,
  undo,
  redo,
  setNotice,
}: {
  stepsRef: RefObject<TStep[]>;
  editSteps: (change: (steps: TStep[]) => TStep[], group?: string) => void;
  selection: TSelection;
  readOnly: boolean;
  undo: () => void;
  redo: () => void;
  setNotice: (notice: TDesignerNotice | null) => void;
}) {
  const clipboard = useRef<TStep | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const { select, selectPlaced, insertionPoint } = selection;

  const paste = useCallback(
    (afterId: string | null) => {
      const cut = clipboard.current;
      if (!cut) return;
      const copy = copyWithNewIds(cut, new Set(allStepIds(stepsRef.current)));
      const at = afterId ? locateStep(stepsRef.current, afterId) : null;
      const target = at ? { pipeId: at.pipeId, index: at.index + 1 } : insertionPoint();
      editSteps((current) => insertStep(current, target, copy));
      selectPlaced(copy.id, { pipeId: target.pipeId, index: target.index + 1 });
      focusCard(copy.id);
    },
    [editSteps, selectPlaced, insertionPoint, stepsRef],
  );

  const cardKeyRef = useRef<(stepId: string, event: KeyboardEvent<HTMLElement>) => void>(() => undefined);
  cardKeyRef.current = (stepId, event) => {
    if (event.target !== event.currentTarget) return; // keys on the drag handle or a button inside belong to them
    const intent = cardKeyIntent(event, readOnly);
    if (!intent) return;
    event.preventDefault();
    event.stopPropagation();
    switch (intent) {
      case 'select':
        return select(stepId);
      case 'focus-next':
      case 'focus-previous': {
        const headers = [...window.document.querySelectorAll<HTMLElement>('[data-step-header]')];
        return headers[headers.indexOf(event.currentTarget) + (intent === 'focus-next' ? 1 : -1)]?.focus();
      }
      case 'move-down':
      case 'move-up':
        editSteps((current) => shiftStep(current, stepId, intent === 'move-down' ? 1 : -1));
        return focusCard(stepId);
      case 'duplicate': {
        const result = duplicateStep(stepsRef.current, stepId);
        editSteps(() => result.steps);
        if (!result.copyId) return;
        selectPlaced(result.copyId);
        return focusCard(result.copyId);
      }
      case 'cut': {
        const { steps: rest, removed } = removeStep(stepsRef.current, stepId);
        clipboard.current = removed;
        editSteps(() => rest);
        select(null);
        return setNotice({
          tone: 'success',
          text: `Cut “${removed?.name ?? stepId}”: select a step and press Ctrl+V to paste it after.`,
        });
      }
      case 'paste':
        return paste(stepId);
      case 'delete':
        return setConfirmDelete(stepId);
    }
  };
  /** Stable, for the memoized cards: always runs the latest handler. */
  const cardKey = useCallback(
    (stepId: string, event: KeyboardEvent<HTMLElement>) => cardKeyRef.current(stepId, event),
    [],
  );

  /** Undo, redo and paste anywhere in the designer but a text field. */
  const onRootKey = (event: KeyboardEvent<HTMLElement>) => {
    const mod = event.ctrlKey || event.metaKey;
    if (!mod || readOnly || isTextField(event.target)) return;
    const key = event.key.toLowerCase();
    if ((key === 'z' && event.shiftKey) || key === 'y') {
      event.preventDefault();
      redo();
    } else if (key === 'z') {
      event.preventDefault();
      undo();
    } else if (key === 'v' && clipboard.current) {
      event.preventDefault();
      paste(null);
    }
  };

  /** Removes the step the delete dialog asked about. */
  const deleteConfirmed = () => {
    const stepId = confirmDelete;
    setConfirmDelete(null);
    if (!stepId) return;
    editSteps((current) => removeStep(current, stepId).steps);
    select(null);
  };

  return { cardKey, onRootKey, confirmDelete, setConfirmDelete, deleteConfirmed };
}
