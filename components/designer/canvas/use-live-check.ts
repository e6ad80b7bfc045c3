'use client';

import { useEffect, useState } from 'react';
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
 * The document's problems, checked ~1 s after each change settles (the same check publish
 * runs), and handed to the cards' badges through the canvas store.
 */
export function useLiveCheck({
  document,
  initial,
  initialProblems,
  store,
}: {
  document: TVersionDocumentInput;
  initial: TVersionDocumentInput;
  initialProblems: TProblem[];
  store: TCanvasStore;
}) {
  const [problems, setProblems] = useState(initialProblems);
  useEffect(() => store.set({ problemCounts: errorCounts(problems) }), [problems, store]);
  useEffect(() => {
    if (document === initial) return;
    const timer = setTimeout(() => {
      checkDefinitionAction({ document }).then(
        (result) => result.ok && setProblems(result.data.problems),
        (error: unknown) => console.error('[designer] check failed:', error),
      );
    }, 900);
    return () => clearTimeout(timer);
  }, [document, initial]);
  return { problems, setProblems };
}
