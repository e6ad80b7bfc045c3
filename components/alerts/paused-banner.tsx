'use client';

import { useRouter } from 'next/navigation';
import { resumeWorkflowAction } from '@/app/(app)/settings/alerts/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';

/** Shown on a paused workflow's pages: new runs wait QUEUED until someone resumes it. */
export function PausedBanner({ workflowKey, canResume }: { workflowKey: string; canResume: boolean }) {
  const router = useRouter();
  const { pending, error, run } = useServerAction(resumeWorkflowAction);
  return (
    <div
      role="status"
      className="mb-5 flex flex-col gap-2 rounded-lg border border-warning/30 bg-warning-soft px-4 py-3 text-sm text-warning md:flex-row md:items-center md:justify-between"
    >
      <p>
        <span className="font-semibold">Paused.</span> New runs of this workflow wait QUEUED until it is resumed (an
        alert paused it, or someone did).
        {error && <span className="block text-danger">{error.message}</span>}
      </p>
      {canResume && (
        <Button
          size="sm"
          variant="primary"
          loading={pending}
          onClick={() => run({ key: workflowKey }, () => router.refresh())}
        >
          Resume
        </Button>
      )}
    </div>
  );
}
