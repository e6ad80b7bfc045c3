'use client';

import { useState } from 'react';
import { changeMemberRoleAction, removeMemberAction } from '@/app/(app)/settings/members/actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { ROLE_OPTIONS } from '@/components/settings/role-options';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Select } from '@/components/ui/select';
import type { TMemberRecord } from '@/server/members/member-record';

function RoleControl({ member }: { member: TMemberRecord }) {
  const { pending, error, run } = useServerAction(changeMemberRoleAction);
  return (
    <div className="flex flex-col gap-1">
      <Select
        aria-label={`Role of ${member.name}`}
        value={member.role}
        onValueChange={(role) => run({ userId: member.userId, role })}
        options={ROLE_OPTIONS}
        disabled={pending}
        className="h-8 w-28"
      />
      {error && (
        <p role="alert" className="max-w-64 text-[13px] text-danger">
          {error.message}
        </p>
      )}
    </div>
  );
}

function RemoveControl({ member }: { member: TMemberRecord }) {
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

/** The admin's controls on a member row: change the role, remove the member. */
export const MemberRowControls = { Role: RoleControl, Remove: RemoveControl };
