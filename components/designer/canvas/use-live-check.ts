'use client';

import { useCallback, useEffect, useMemo, useState } from 'react';
import { getAtPath } from '@/model/designer/step-tree';
import { checkDefinitionAction } from '@/app/(app)/workflows/server-actions';
import type { TCanvasStore } from '@/components/designer/canvas/canvas-store';
import type { TProblem } from '@/model/definition/problem';
import type { TVersionDocumentInput } from '@/model/definition/version-document';

/** Error counts by step id, for the cards' badges. */
export function errorCounts(problems: readonly TProblem[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const problem of problems)
    if (problem.stepId && problem.severity === 'error')
      counts.set(problem.stepId, (counts.get(problem.stepId) ?? 0) + 1);
  return counts;
}

/**
 * True when the value at a problem's path differs between two documents. Edits keep the
 * identity of what they do not change, so an unchanged value is the same object (or equal
 * scalar); a problem at a path that no longer exists counts as changed.
 */
function hasChanged(before: TVersionDocumentInput, after: TVersionDocumentInput, path: string): boolean {
  if (before === after || path === '') return false;
  return getAtPath(before, path) !== getAtPath(after, path);
}

/** Where the check of the document as opened is: asked for after hydration, answered, or failed. */
export type TOpenCheck = 'checking' | 'checked' | 'failed';

/**
 * The document's problems, checked ~1 s after each change settles (the same check publish
 * runs), and handed to the cards' badges through the canvas store. The opened document is
 * checked once the page is drawn and hydrated, not before the server sends it: at 300 steps the
 * check was half a second of the web process's time ahead of the first card (issue #16). Until
 * it answers `openCheck` is 'checking' and no problem is shown.
 */
export function useLiveCheck({
  document,
  initial,
  store,
}: {
  document: TVersionDocumentInput;
  initial: TVersionDocumentInput;
  store: TCanvasStore;
}) {
  const [checked, setChecked] = useState<{ document: TVersionDocumentInput; problems: TProblem[] } | null>(null);
  const [openCheckFailed, setOpenCheckFailed] = useState(false);
  // A problem whose value has changed since the check is stale: it is not shown while the
  // next check runs (typing into an empty outcome must not leave "cannot be empty" up).
  const problems = useMemo(
    () => (checked ? checked.problems.filter((problem) => !hasChanged(checked.document, document, problem.path)) : []),
    [checked, document],
  );
  useEffect(() => store.set({ problemCounts: errorCounts(problems) }), [problems, store]);
  useEffect(() => {
    let live = true;
    // When the browser is first idle after hydrating (at the latest 300 ms on), so the request
    // does not compete with it. A check made since (an edit's, publish's) is newer and stays.
    const ask = () =>
      checkDefinitionAction({ document: initial }).then(
        (result) => {
          if (!live) return;
          if (result.ok) setChecked((current) => current ?? { document: initial, problems: result.data.problems });
          else setOpenCheckFailed(true);
        },
        (error: unknown) => {
          console.error('[designer] check failed:', error);
          if (live) setOpenCheckFailed(true);
        },
      );
    const idle = typeof window.requestIdleCallback === 'function';
    const handle = idle ? window.requestIdleCallback(() => void ask(), { timeout: 300 }) : window.setTimeout(ask, 0);
    return () => {
      live = false;
      if (idle) window.cancelIdleCallback(handle);
      else window.clearTimeout(handle);
    };
  }, [initial]);
  useEffect(() => {
    if (document === initial) return;
    const timer = setTimeout(() => {
      checkDefinitionAction({ document }).then(
        (result) => result.ok && setChecked({ document, problems: result.data.problems }),
        (error: unknown) => console.error('[designer] check failed:', error),
      );
    }, 900);
    return () => clearTimeout(timer);
  }, [document, initial]);
  /** Problems just checked for `checkedDocument` (publish runs the check itself). */
  const setProblems = useCallback(
    (checkedDocument: TVersionDocumentInput, next: TProblem[]) =>
      setChecked({ document: checkedDocument, problems: next }),
    [],
  );
  const openCheck: TOpenCheck = checked ? 'checked' : openCheckFailed ? 'failed' : 'checking';
  return { problems, setProblems, openCheck };
}
