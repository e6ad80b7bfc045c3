import { apiRoute } from '@/server/api/route';
import { changeMemberContract, removeMemberContract } from '@/server/api/contracts/admin';
import { changeMemberRole } from '@/server/members/change-member-role';
import { getMember } from '@/server/members/get-member';
import { removeMember } from '@/server/members/remove-member';

export const dynamic = 'force-dynamic';

export const PATCH = apiRoute(changeMemberContract, async ({ db, ctx, params, body }) => {
  const { userId } = await getMember({ db, ctx, email: params.email });
  await changeMemberRole({ db, ctx, input: { userId, role: body.role } });
  return getMember({ db, ctx, email: params.email });
});

export const DELETE = apiRoute(removeMemberContract, async ({ db, ctx, params }) => {
  const { userId } = await getMember({ db, ctx, email: params.email });
  await removeMember({ db, ctx, input: { userId } });
  return null;
});
