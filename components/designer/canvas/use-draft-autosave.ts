'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { saveDraftAction } from '@/app/(app)/workflows/server-actions';
import type { TVersionDocumentInput } from '@/model/definition/version-document';

/** Where the designer's document stands against the server. */
export type TSaveState =
  | { kind: 'saved' }
  | { kind: 'dirty' }
  | { kind: 'saving' }
  | { kind: 'failed'; message: string }
  | { kind: 'conflict' };

/** The version the edits build on: a draft (saved with its revision) or a published version / nothing yet (the first save makes a new draft). */
export type TDraftBase = { version: number | null; status: 'draft' | 'published' | null; revision: number };

export const AUTOSAVE_DELAY_MS = 800;

/**
 * Saves the document 800 ms after the last change, one save at a time, with the revision it
 * was loaded at. A CONFLICT (another tab or person saved first) stops autosaving for good:
 * the edits here are kept on screen but never written over theirs; reloading gets theirs.
 * When the base is published (or there is no version yet), the first save creates the new
 * draft and says which version it started from (`expectedLatestVersion`): a draft or a newer
 * version started elsewhere meanwhile makes it a CONFLICT too.
 */
export function useDraftAutosave({
  workflowKey,
  document,
  initialBase,
  enabled,
}: {
  workflowKey: string;
  document: TVersionDocumentInput;
  initialBase: TDraftBase;
  enabled: boolean;
}) {
  const [state, setState] = useState<TSaveState>({ kind: 'saved' });
  const [base, setBase] = useState(initialBase);
  const baseRef = useRef(initialBase);
  const savedRef = useRef(document);
  const latestRef = useRef(document);
  const inflightRef = useRef<Promise<void> | null>(null);
  const conflictRef = useRef(false);
  const timerRef = useRef<ReturnType<typeof setTimeout> | null>(null);
  latestRef.current = document;

  const saveOnce = useCallback(
    async (evenUnchanged = false): Promise<void> => {
      const doc = latestRef.current;
      if (conflictRef.current || (doc === savedRef.current && !evenUnchanged)) return;
      setState({ kind: 'saving' });
      const current = baseRef.current;
      const { version: _version, status: _status, ...body } = doc;
      // On a draft: its revision. Otherwise: the newest version this page was loaded at (0 for
      // none), so a draft someone started meanwhile is refused in the same transaction as the save.
      const expected =
        current.status === 'draft'
          ? { expectedRevision: current.revision }
          : { expectedLatestVersion: current.version ?? 0 };
      const result = await saveDraftAction({ key: workflowKey, document: body, ...expected });
      if (!result.ok) {
        if (result.error.code === 'CONFLICT') {
          conflictRef.current = true;
          return setState({ kind: 'conflict' });
        }
        return setState({ kind: 'failed', message: result.error.message });
      }
      const next: TDraftBase = { version: result.data.version, status: 'draft', revision: result.data.revision };
      baseRef.current = next;
      setBase(next);
      savedRef.current = doc;
      setState(latestRef.current === doc ? { kind: 'saved' } : { kind: 'dirty' });
    },
    [workflowKey],
  );

  /**
   * Saves now (after any save in flight) and resolves when the document on screen is stored or
   * refused. `draftRequired`: a workflow with no version yet gets its first draft even untouched
   * (publish needs a version to publish).
   */
  const flush = useCallback(
    async ({ draftRequired = false }: { draftRequired?: boolean } = {}): Promise<boolean> => {
      if (timerRef.current) clearTimeout(timerRef.current);
      timerRef.current = null;
      while (inflightRef.current) await inflightRef.current;
      const noVersion = draftRequired && baseRef.current.version === null;
      if ((latestRef.current !== savedRef.current || noVersion) && !conflictRef.current) {
        const run = saveOnce(noVersion).catch((error: unknown) => {
          console.error('[designer] save failed:', error);
          setState({
            kind: 'failed',
            message: 'Could not reach the server. Your changes are kept here; they save with the next edit.',
          });
        });
        inflightRef.current = run;
        await run;
        inflightRef.current = null;
      }
      return latestRef.current === savedRef.current && !(draftRequired && baseRef.current.version === null);
    },
    [saveOnce],
  );

  useEffect(() => {
    if (!enabled || conflictRef.current) return;
    if (document === savedRef.current) {
      // Undo/redo back to the stored document: nothing to save, and the "Unsaved" of the step
      // before must not stay (its timer was cleared by this change).
      if (!inflightRef.current) setState((current) => (current.kind === 'dirty' ? { kind: 'saved' } : current));
      return;
    }
    setState({ kind: 'dirty' });
    timerRef.current = setTimeout(() => void flush(), AUTOSAVE_DELAY_MS);
    return () => {
      if (timerRef.current) clearTimeout(timerRef.current);
    };
  }, [document, enabled, flush]);

  // Leaving with edits not yet stored asks first (the browser shows its own wording).
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (latestRef.current !== savedRef.current && !conflictRef.current) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);

  /** After a publish, the next edit starts a new draft on top of this version. */
  const markPublished = useCallback((version: number) => {
    const next: TDraftBase = { version, status: 'published', revision: baseRef.current.revision };
    baseRef.current = next;
    setBase(next);
  }, []);

  /** The base as of now (the `base` state a callback closed over may be a save behind). */
  const currentBase = useCallback(() => baseRef.current, []);

  return { state, base, currentBase, flush, markPublished };
}
