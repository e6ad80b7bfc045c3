'use client';

import { useState } from 'react';
import { deleteSecretAction } from '@/app/(app)/settings/secrets/actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';

export function DeleteSecretButton({ name }: { name: string }) {
  const [open, setOpen] = useState(false);
  const { pending, error, run, reset } = useServerAction(deleteSecretAction);
  return (
    <>
      <Button size="sm" variant="ghost" onClick={() => setOpen(true)} aria-label={`Delete ${name}`}>
        Delete
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          if (!next) reset();
        }}
        title={`Delete secret "${name}"?`}
        description="Workflows that reference it will fail at the step that needs it. The value cannot be recovered."
        confirmLabel="Delete secret"
        pending={pending}
        error={error?.message}
        onConfirm={() => run({ name }, () => setOpen(false))}
      />
    </>
  );
}
