import { apiRoute } from '@/server/api/route';
import { deleteSecretContract } from '@/server/api/contracts/secrets';
import { deleteSecret } from '@/server/secrets/delete-secret';

export const DELETE = apiRoute(deleteSecretContract, async ({ db, ctx, params }) => {
  await deleteSecret({ db, ctx, name: params.name });
  return null;
});
