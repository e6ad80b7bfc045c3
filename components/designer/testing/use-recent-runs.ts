'use client';

import { useCallback, useState } from 'react';
import { listRecentRunsAction } from '@/app/(app)/workflows/testing-server-actions';
import type { TRunRecord } from '@/server/runs/run-record';

/** This workflow's latest runs, loaded when a picker opens. */
export function useRecentRuns(workflowKey: string) {
  const [runs, setRuns] = useState<TRunRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    listRecentRunsAction({ key: workflowKey })
      .then((result) => {
        if (result.ok) setRuns(result.data.items);
        else setError(result.error.message);
      })
      .catch((thrown: unknown) => {
        console.error('[designer] listing runs failed:', thrown);
        setError('Could not reach the server to list runs.');
      });
  }, [workflowKey]);
  return { runs, error, load };
}

/** How a run reads in a picker: time, status, version, test mark, id. */
export function runLabel(run: TRunRecord): string {
  const time = new Date(run.createdAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
  return `${time} · ${run.status} · v${run.version}${run.test ? ' · test' : ''} · ${run.id.slice(0, 8)}`;
}
