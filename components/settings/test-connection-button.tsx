'use client';

import { CircleCheck, CircleX } from 'lucide-react';
import { useState } from 'react';
import { testConnectionAction } from '@/app/(app)/settings/connections/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import type { TConnectionTestResult } from '@/server/connections/test-connection';

/** "Test": reaches the service with the stored credentials (through the egress guard) and shows how it went. */
export function TestConnectionButton({ name }: { name: string }) {
  const { pending, error, run } = useServerAction(testConnectionAction);
  const [result, setResult] = useState<TConnectionTestResult | null>(null);
  const shown = error ? { ok: false, message: error.message } : result;
  return (
    <div className="flex min-w-0 flex-col items-end gap-1">
      <Button
        size="sm"
        variant="ghost"
        loading={pending}
        aria-label={`Test ${name}`}
        onClick={() => {
          setResult(null);
          run({ name }, setResult);
        }}
      >
        Test
      </Button>
      {shown && !pending ? (
        <p
          role="status"
          data-testid={`connection-test-${name}`}
          className={`flex max-w-72 items-start gap-1 text-right text-[12px] ${shown.ok ? 'text-success' : 'text-danger'}`}
        >
          {shown.ok ? (
            <CircleCheck className="mt-px size-3.5 shrink-0" aria-hidden />
          ) : (
            <CircleX className="mt-px size-3.5 shrink-0" aria-hidden />
          )}
          <span className="break-words">{shown.message}</span>
        </p>
      ) : null}
    </div>
  );
}
