import type { Metadata } from 'next';
import { AddMemberDialog } from '@/components/settings/add-member-dialog';
import { MemberRoleSelect } from '@/components/settings/member-role-select';
import { RemoveMemberButton } from '@/components/settings/remove-member-button';
import { Badge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { getDb } from '@/server/db/database';
import { listMembers } from '@/server/members/list-members';

export const metadata: Metadata = { title: 'Members' };

export default async function MembersPage() {
  const ctx = await requirePageContext('/settings/members');
  const members = await listMembers({ db: getDb(), ctx });
  // Controls are not rendered for non-admins; the actions refuse them regardless.
  const canManage = roleAllows(ctx.role, 'member.manage');
  const selfId = ctx.actor.type === 'user' ? ctx.actor.userId : null;
  return (
    <>
      <PageHeader
        title="Members"
        description={`People in ${ctx.tenantName} and what their role lets them do.`}
        actions={canManage && <AddMemberDialog />}
      />
      <Table>
        <THead>
          <TR>
            <TH>Name</TH>
            <TH>Email</TH>
            <TH>Role</TH>
            <TH>Joined</TH>
            {canManage && <TH className="text-right">Actions</TH>}
          </TR>
        </THead>
        <TBody>
          {members.map((member) => (
            <TR key={member.userId}>
              <TD className="max-w-56">
                <span className="block truncate font-medium" title={member.name}>
                  {member.name}
                  {member.userId === selfId && <span className="ml-1.5 font-normal text-ink-faint">(you)</span>}
                </span>
              </TD>
              <TD className="max-w-72 text-ink-muted">
                <span className="block truncate" title={member.email}>
                  {member.email}
                </span>
              </TD>
              <TD>
                {canManage ? (
                  <MemberRoleSelect member={member} />
                ) : (
                  <Badge tone={member.role === 'admin' ? 'accent' : 'neutral'}>{member.role}</Badge>
                )}
              </TD>
              <TD className="text-ink-muted">
                <TimeText iso={member.joinedAt} />
              </TD>
              {canManage && (
                <TD className="text-right">
                  <RemoveMemberButton member={member} />
                </TD>
              )}
            </TR>
          ))}
        </TBody>
      </Table>
    </>
  );
}
