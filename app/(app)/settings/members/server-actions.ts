'use server';

import { defineServerAction } from '@/server/server-actions/define-server-action';
import { addMember, ZAddMember } from '@/server/members/add-member';
import { changeMemberRole, ZChangeMemberRole } from '@/server/members/change-member-role';
import { removeMember, ZRemoveMember } from '@/server/members/remove-member';

const revalidate = ['/settings/members'];

export const addMemberAction = defineServerAction(
  { permission: 'member.manage', input: ZAddMember, revalidate },
  ({ db, ctx, input }) => addMember({ db, ctx, input }),
);

export const changeMemberRoleAction = defineServerAction(
  { permission: 'member.manage', input: ZChangeMemberRole, revalidate },
  ({ db, ctx, input }) => changeMemberRole({ db, ctx, input }),
);

export const removeMemberAction = defineServerAction(
  { permission: 'member.manage', input: ZRemoveMember, revalidate },
  ({ db, ctx, input }) => removeMember({ db, ctx, input }),
);
