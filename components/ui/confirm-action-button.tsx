'use client';

import { useState } from 'react';
import type { TServerAction } from '@/model/server-action-result';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';

/**
 * A small button that asks before running a destructive server action, and shows the
 * server's refusal (e.g. "last admin") in the dialog instead of closing it.
 */
export function ConfirmActionButton<T>({
  action,
  input,
  label,
  ariaLabel,
  title,
  description,
  confirmLabel,
}: {
  action: TServerAction<T>;
  input: unknown;
  label: string;
  ariaLabel: string;
  title: string;
  description: string;
  confirmLabel: string;
}) {
  const [open, setOpen] = useState(false);
  const { pending, error, run, reset } = useServerAction(action);
  return (
    <>
      <Button size="sm" variant="ghost" onClick={() => setOpen(true)} aria-label={ariaLabel}>
        {label}
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          if (!next) reset();
        }}
        title={title}
        description={description}
        confirmLabel={confirmLabel}
        pending={pending}
        error={error?.message}
        onConfirm={() => run(input, () => setOpen(false))}
      />
    </>
  );
}
