'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { deleteRunAction } from '@/app/(app)/runs/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button, buttonClasses } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { isTerminal, type TRunStatus } from '@/model/run-status';

/**
 * What can be done with a run's record: download it as one JSON document (anyone who sees the
 * run; the same redacted document as `GET /api/v1/runs/{id}/export`), and delete it now
 * (admins, once it has ended), as retention would later.
 */
export function RunRecordActions({ runId, status, isAdmin }: { runId: string; status: TRunStatus; isAdmin: boolean }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const { pending, error, run, reset } = useServerAction(deleteRunAction);
  return (
    <div className="flex flex-wrap gap-2">
      <a
        href={`/api/v1/runs/${runId}/export?download=1`}
        download={`run-${runId}.json`}
        className={buttonClasses('secondary', 'sm')}
      >
        Export JSON
      </a>
      {isAdmin && isTerminal(status) && (
        <>
          <Button size="sm" variant="ghost" onClick={() => setConfirming(true)}>
            Delete run
          </Button>
          <ConfirmDialog
            open={confirming}
            onOpenChange={(open) => {
              setConfirming(open);
              if (!open) reset();
            }}
            title="Delete this run now?"
            description="The run, its steps, events, snapshots, tasks and child runs are deleted for good. The audit log keeps a record."
            confirmLabel="Delete run"
            pending={pending}
            error={error?.message}
            onConfirm={() =>
              run({ id: runId, reason: 'deleted from the run page' }, () => {
                setConfirming(false);
                router.push('/runs');
              })
            }
          />
        </>
      )}
    </div>
  );
}
