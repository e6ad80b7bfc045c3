import { apiRoute } from '@/server/api/route';
import { createTokenContract, listTokensContract } from '@/server/api/contracts/admin';
import { createApiToken } from '@/server/tokens/create-api-token';
import { listApiTokens } from '@/server/tokens/list-api-tokens';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listTokensContract, async ({ db, ctx }) => ({
  items: await listApiTokens({ db, ctx }),
  nextCursor: null,
}));

export const POST = apiRoute(createTokenContract, async ({ db, ctx, body }) => {
  const { token, record } = await createApiToken({ db, ctx, input: body });
  return { ...record, token };
});
