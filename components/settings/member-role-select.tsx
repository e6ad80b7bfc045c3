'use client';

import { changeMemberRoleAction } from '@/app/(app)/settings/members/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { ROLE_OPTIONS } from '@/components/settings/role-options';
import { Select } from '@/components/ui/select';
import type { TMemberRecord } from '@/server/members/member-record';

/** The admin's role control on a member row; a refusal (e.g. last admin) shows beneath it. */
export function MemberRoleSelect({ member }: { member: TMemberRecord }) {
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
