import { apiRoute } from '@/server/api/route';
import { addMemberContract, listMembersContract } from '@/server/api/contracts/admin';
import { addMember } from '@/server/members/add-member';
import { getMember } from '@/server/members/get-member';
import { listMembers } from '@/server/members/list-members';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listMembersContract, async ({ db, ctx }) => ({
  items: await listMembers({ db, ctx }),
  nextCursor: null,
}));

export const POST = apiRoute(addMemberContract, async ({ db, ctx, body }) => {
  const { initialPassword } = await addMember({ db, ctx, input: body });
  return { ...(await getMember({ db, ctx, email: body.email })), initialPassword };
});
