'use client';

import { removeMemberAction } from '@/app/(app)/settings/members/server-actions';
import { ConfirmActionButton } from '@/components/ui/confirm-action-button';
import type { TMemberRecord } from '@/server/members/member-record';

export function RemoveMemberButton({ member }: { member: TMemberRecord }) {
  return (
    <ConfirmActionButton
      action={removeMemberAction}
      input={{ userId: member.userId }}
      label="Remove"
      ariaLabel={`Remove ${member.name}`}
      title={`Remove ${member.name}?`}
      description={`${member.email} loses access to this tenant at once, and the API tokens they created here are revoked.`}
      confirmLabel="Remove member"
    />
  );
}
