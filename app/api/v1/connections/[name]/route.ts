import { apiRoute } from '@/server/api/route';
import { deleteConnectionContract } from '@/server/api/contracts/connections';
import { deleteConnection } from '@/server/connections/delete-connection';

export const DELETE = apiRoute(deleteConnectionContract, async ({ db, ctx, params }) => {
  await deleteConnection({ db, ctx, name: params.name });
  return null;
});
