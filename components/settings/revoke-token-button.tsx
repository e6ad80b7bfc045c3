'use client';

import { useState } from 'react';
import { revokeApiTokenAction } from '@/app/(app)/settings/tokens/actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';

export function RevokeTokenButton({ id, name }: { id: string; name: string }) {
  const [open, setOpen] = useState(false);
  const { pending, error, run, reset } = useServerAction(revokeApiTokenAction);
  return (
    <>
      <Button size="sm" variant="ghost" onClick={() => setOpen(true)} aria-label={`Revoke ${name}`}>
        Revoke
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          if (!next) reset();
        }}
        title={`Revoke "${name}"?`}
        description="Anything using this token is refused from the next request on. This cannot be undone."
        confirmLabel="Revoke token"
        pending={pending}
        error={error?.message}
        onConfirm={() => run({ id }, () => setOpen(false))}
      />
    </>
  );
}
