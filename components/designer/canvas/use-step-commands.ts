'use client';

import { useCallback, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { cardKeyIntent, type TCardIntent } from '@/components/designer/canvas/card-keys';
import {
  copyWithNewIds,
  duplicateStep,
  findStep,
  insertStep,
  locateStep,
  removeStep,
  shiftStep,
} from '@/components/designer/canvas/definition-edits';
import { focusAfterRemoval, focusCard, isTextField, undrawnBetween } from '@/components/designer/canvas/focus-card';
import {
  parseClipboardSteps,
  readStepClipboard,
  writeStepClipboard,
} from '@/components/designer/canvas/step-clipboard';
import type { TSelection } from '@/components/designer/canvas/use-selection';
import type { TStep } from '@/model/definition/step';
import { allStepIds } from '@/model/designer/step-tree';

export type TDesignerNotice = { tone: 'success' | 'danger'; text: string };

const nameOf = (step: TStep) => `“${step.name?.trim() || step.id}”`;
const ONLY_HERE = ' (the browser refused the system clipboard, so it pastes in this browser only)';

/**
 * What can be done to a step, from its keys, its menu or its context menu: select, walk,
 * move, duplicate, copy, cut, paste (through the system clipboard, as JSON), delete after
 * asking; and the designer's own keys (undo, redo, paste at the insertion point). Every
 * change is one `editSteps`, so one undo step.
 */
export function useStepCommands({
  stepsRef,
  editSteps,
  selection,
  readOnly,
  undo,
  redo,
  setNotice,
  openMenu,
}: {
  stepsRef: RefObject<TStep[]>;
  editSteps: (change: (steps: TStep[]) => TStep[], group?: string) => void;
  selection: TSelection;
  readOnly: boolean;
  undo: () => void;
  redo: () => void;
  setNotice: (notice: TDesignerNotice | null) => void;
  /** Opens a card's "⋯" menu (the context-menu key, Shift+F10). */
  openMenu: (stepId: string) => void;
}) {
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const { select, selectPlaced, insertionPoint, setTarget, setBlockOpen, reveal } = selection;

  /** Removes a step; focus goes to its neighbour (or its pipe), and the next step added goes where it was. */
  const removeAndRefocus = useCallback(
    (stepId: string) => {
      const before = stepsRef.current;
      const { steps: rest, from } = removeStep(before, stepId);
      if (!from) return;
      editSteps(() => rest);
      select(null);
      setTarget(from);
      focusAfterRemoval(rest, from);
    },
    [editSteps, select, setTarget, stepsRef],
  );

  const copy = useCallback(
    async (stepId: string, cut: boolean) => {
      const step = findStep(stepsRef.current, stepId);
      if (!step) return;
      const where = await writeStepClipboard([step]);
      if (cut) removeAndRefocus(stepId);
      setNotice({
        tone: 'success',
        text: `${cut ? 'Cut' : 'Copied'} ${nameOf(step)}: paste it with Ctrl+V here or in another workflow${where === 'browser' ? ONLY_HERE : ''}.`,
      });
    },
    [removeAndRefocus, setNotice, stepsRef],
  );

  /** Pastes the clipboard's steps after `afterId` (null: at the insertion point), with new ids where they clash. */
  const paste = useCallback(
    async (afterId: string | null) => {
      const { text } = await readStepClipboard();
      const parsed = parseClipboardSteps(text);
      if (!parsed.ok) return setNotice({ tone: 'danger', text: `${parsed.message} Nothing was changed.` });
      const taken = new Set(allStepIds(stepsRef.current));
      const copies = parsed.steps.map((step) => copyWithNewIds(step, taken));
      const at = afterId ? locateStep(stepsRef.current, afterId) : null;
      const target = at ? { pipeId: at.pipeId, index: at.index + 1 } : insertionPoint();
      editSteps((current) =>
        copies.reduce(
          (tree, step, offset) => insertStep(tree, { pipeId: target.pipeId, index: target.index + offset }, step),
          current,
        ),
      );
      const last = copies.at(-1)!;
      selectPlaced(last.id, { pipeId: target.pipeId, index: target.index + copies.length });
      focusCard(last.id);
      const renamed = parsed.steps.filter((step, index) => step.id !== copies[index]?.id).length;
      setNotice({
        tone: 'success',
        text: `Pasted ${copies.length === 1 ? nameOf(last) : `${copies.length} steps`}${renamed ? ' with new ids (the old ones are taken here)' : ''}.`,
      });
    },
    [editSteps, selectPlaced, insertionPoint, setNotice, stepsRef],
  );

  const perform = useCallback(
    (stepId: string, intent: TCardIntent, from?: HTMLElement) => {
      switch (intent) {
        case 'select':
          return select(stepId);
        case 'focus-next':
        case 'focus-previous': {
          const headers = [...window.document.querySelectorAll<HTMLElement>('[data-step-header]')];
          const here = from ?? headers.find((header) => header.dataset.stepHeader === stepId);
          const there = headers[headers.indexOf(here!) + (intent === 'focus-next' ? 1 : -1)];
          // Between the two, a long pipe's cards not drawn yet: the next step is the first of them
          // (going down) or the pipe's last (going up), drawn first.
          const skipped = here && undrawnBetween(here, there, intent === 'focus-next', stepsRef.current);
          if (skipped) {
            reveal(skipped);
            return focusCard(skipped);
          }
          return there?.focus();
        }
        case 'expand':
        case 'collapse':
          return setBlockOpen(stepId, intent === 'expand');
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
        case 'copy':
          return void copy(stepId, false);
        case 'cut':
          return void copy(stepId, true);
        case 'paste':
          return void paste(stepId);
        case 'delete':
          return setConfirmDelete(stepId);
        case 'menu':
          return openMenu(stepId);
      }
    },
    [copy, editSteps, openMenu, paste, reveal, select, selectPlaced, setBlockOpen, stepsRef],
  );

  const cardKey = useCallback(
    (stepId: string, event: KeyboardEvent<HTMLElement>) => {
      if (event.target !== event.currentTarget) return; // keys on the drag handle or a button inside belong to them
      const intent = cardKeyIntent(event, readOnly);
      if (!intent) return;
      event.preventDefault();
      event.stopPropagation();
      perform(stepId, intent, event.currentTarget);
    },
    [perform, readOnly],
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
    } else if (key === 'v') {
      event.preventDefault();
      void paste(null);
    }
  };

  /** Removes the step the delete dialog asked about. */
  const deleteConfirmed = () => {
    const stepId = confirmDelete;
    setConfirmDelete(null);
    if (stepId) removeAndRefocus(stepId);
  };

  /** The latest `perform`, for callers that must stay stable (the memoized cards' menus). */
  const performRef = useRef(perform);
  performRef.current = perform;

  return { cardKey, perform, performRef, paste, onRootKey, confirmDelete, setConfirmDelete, deleteConfirmed };
}
