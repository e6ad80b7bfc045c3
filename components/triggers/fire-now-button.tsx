'use client';

import { Play } from 'lucide-react';
import Link from 'next/link';
import { useState } from 'react';
import { fireTriggerNowAction } from '@/app/(app)/workflows/[key]/triggers/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';

/** "Fire now" on a schedule: starts one run with its input at once and links to it. */
export function FireNowButton({ triggerId }: { triggerId: string }) {
  const { pending, error, run } = useServerAction(fireTriggerNowAction);
  const [runId, setRunId] = useState<string | null>(null);
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        size="sm"
        variant="ghost"
        loading={pending}
        onClick={() => run({ id: triggerId }, (data) => setRunId(data.runId))}
      >
        {!pending && <Play className="size-3.5" aria-hidden />}
        Fire now
      </Button>
      {runId && !error && (
        <p role="status" className="text-[12px] text-ink-muted">
          Started{' '}
          <Link href={`/runs/${runId}`} className="text-accent underline-offset-2 hover:underline">
            run {runId.slice(0, 8)}
          </Link>
        </p>
      )}
      {error && (
        <p role="alert" className="max-w-64 text-right text-[12px] text-danger">
          {error.message}
        </p>
      )}
    </div>
  );
}
