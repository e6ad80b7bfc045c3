import { apiRoute } from '@/server/api/route';
import { revokeTokenContract } from '@/server/api/contracts/admin';
import { revokeApiToken } from '@/server/tokens/revoke-api-token';

export const dynamic = 'force-dynamic';

export const DELETE = apiRoute(revokeTokenContract, async ({ db, ctx, params }) => {
  await revokeApiToken({ db, ctx, input: { id: params.id } });
  return null;
});
