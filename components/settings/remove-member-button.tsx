'use client';

import { useState } from 'react';
import { removeMemberAction } from '@/app/(app)/settings/members/actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import type { TMemberRecord } from '@/server/members/member-record';

export function RemoveMemberButton({ member }: { member: TMemberRecord }) {
  const [open, setOpen] = useState(false);
  const { pending, error, run, reset } = useServerAction(removeMemberAction);
  return (
    <>
      <Button size="sm" variant="ghost" onClick={() => setOpen(true)} aria-label={`Remove ${member.name}`}>
        Remove
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          if (!next) reset();
        }}
        title={`Remove ${member.name}?`}
        description={`${member.email} loses access to this tenant at once, and the API tokens they created here are revoked.`}
        confirmLabel="Remove member"
        pending={pending}
        error={error?.message}
        onConfirm={() => run({ userId: member.userId }, () => setOpen(false))}
      />
    </>
  );
}
