'use client';

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { loadPinnedRunAction } from '@/app/(app)/workflows/testing-server-actions';
import type { TPinnedEnvelope, TPinnedRun, TPinnedStep } from '@/model/testing/pinned-run';

/** What the designer's testing tools share: the draft to test and the run pinned to it. */
export type TDesignerTesting = {
  workflowKey: string;
  readOnly: boolean;
  canRun: boolean;
  /** Saves the draft now; resolves to the saved version number, or null when it could not be saved. */
  saveDraft: () => Promise<number | null>;
  pinned: TPinnedRun | null;
  pinError: string | null;
  pinning: boolean;
  pinRun: (runId: string) => void;
  unpin: () => void;
  /** The designer hands over how it saves its draft (useProvideDraftSaver). */
  provideSaveDraft: (save: () => Promise<number | null>) => void;
};

const TestingContext = createContext<TDesignerTesting | null>(null);
/** The step whose panel is open, so panel fields (Try it, the field picker) can read its pinned data. */
const PanelStepContext = createContext<string | null>(null);

/**
 * The testing tools' state around the designer page; `initialPin` pins a run on load ("Debug
 * in editor"). The designer inside hands over how it saves its draft (useProvideDraftSaver).
 */
export function DesignerTestingProvider({
  workflowKey,
  readOnly,
  canRun,
  initialPin,
  children,
}: {
  workflowKey: string;
  readOnly: boolean;
  canRun: boolean;
  initialPin: string | null;
  children: ReactNode;
}) {
  const saver = useRef<() => Promise<number | null>>(async () => null);
  const saveDraft = useCallback(() => saver.current(), []);
  const provideSaveDraft = useCallback((save: () => Promise<number | null>) => {
    saver.current = save;
  }, []);
  const [pinned, setPinned] = useState<TPinnedRun | null>(null);
  const [pinError, setPinError] = useState<string | null>(null);
  const [pinning, setPinning] = useState(false);
  const pinRun = useCallback(
    (runId: string) => {
      setPinError(null);
      setPinning(true);
      loadPinnedRunAction({ key: workflowKey, runId })
        .then((result) => {
          if (result.ok) setPinned(result.data);
          else setPinError(result.error.message);
        })
        .catch((error: unknown) => {
          console.error('[designer] pinning a run failed:', error);
          setPinError('Could not reach the server to load the run. Try again.');
        })
        .finally(() => setPinning(false));
    },
    [workflowKey],
  );
  const unpin = useCallback(() => {
    setPinned(null);
    setPinError(null);
  }, []);
  useEffect(() => {
    if (initialPin) pinRun(initialPin);
  }, [initialPin, pinRun]);
  const value = useMemo<TDesignerTesting>(
    () => ({ workflowKey, readOnly, canRun, saveDraft, pinned, pinError, pinning, pinRun, unpin, provideSaveDraft }),
    [workflowKey, readOnly, canRun, saveDraft, pinned, pinError, pinning, pinRun, unpin, provideSaveDraft],
  );
  return <TestingContext.Provider value={value}>{children}</TestingContext.Provider>;
}

/** The designer's testing state, or null outside a designer (a panel rendered on its own). */
export function useDesignerTesting(): TDesignerTesting | null {
  return useContext(TestingContext);
}

/** Called by the designer: how Test step and Run draft save the draft before they use it. */
export function useProvideDraftSaver(save: () => Promise<number | null>): void {
  const testing = useContext(TestingContext);
  useEffect(() => testing?.provideSaveDraft(save), [testing, save]);
}

/** Marks the step whose panel this is. */
export function PanelStepScope({ stepId, children }: { stepId: string; children: ReactNode }) {
  return <PanelStepContext.Provider value={stepId}>{children}</PanelStepContext.Provider>;
}

/** What the pinned run recorded for a step, or null (no run pinned, or the step did not run on it). */
export function usePinnedStep(stepId: string | null): TPinnedStep | null {
  const testing = useContext(TestingContext);
  if (!stepId || !testing?.pinned) return null;
  return Object.hasOwn(testing.pinned.steps, stepId) ? (testing.pinned.steps[stepId] ?? null) : null;
}

/** The envelope the open panel's step read on the pinned run, for Try it and the field picker. */
export function usePanelPinnedEnvelope(): TPinnedEnvelope | null {
  return usePinnedStep(useContext(PanelStepContext))?.envelope ?? null;
}
