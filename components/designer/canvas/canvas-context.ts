'use client';

import { createContext, useContext, type KeyboardEvent } from 'react';
import type { TCanvasStore } from '@/components/designer/canvas/canvas-store';
import type { TCardIntent } from '@/components/designer/canvas/card-keys';
import type { TPipePosition } from '@/components/designer/canvas/definition-edits';

/** What the cards call back into; the designer keeps these stable so memoized cards never re-render for them. */
export type TCanvasCommands = {
  select: (stepId: string) => void;
  /** Makes the start of an (empty) pipe the place the next step goes. */
  targetPipe: (pipeId: string) => void;
  cardKey: (stepId: string, event: KeyboardEvent<HTMLElement>) => void;
  /** Carries out a command of the card's menu on a step. */
  run: (stepId: string, intent: TCardIntent) => void;
  /** Opens a step's "⋯" menu (null closes it). */
  openMenu: (stepId: string | null) => void;
  /** Opens (with every block inside it) or collapses a block. */
  setBlockOpen: (stepId: string, open: boolean) => void;
  /** Draws a long pipe's cards up to `count`. */
  showInPipe: (pipeId: string, count: number) => void;
  /** Moves the insertion point (a click on empty canvas or a pipe's "+"). */
  setTarget: (target: TPipePosition) => void;
};

export type TCanvasContext = {
  store: TCanvasStore;
  readOnly: boolean;
  /** Icon name by node type (from the node shapes; a square for a type Pipewright does not know). */
  iconFor: (type: string) => string | undefined;
  commands: TCanvasCommands;
};

export const CanvasContext = createContext<TCanvasContext | null>(null);

export function useCanvas(): TCanvasContext {
  const context = useContext(CanvasContext);
  if (!context) throw new Error('useCanvas must be used inside <CanvasContext.Provider>');
  return context;
}
