import { apiRoute } from '@/server/api/route';
import { testConnectionContract } from '@/server/api/contracts/connections';
import { testConnection } from '@/server/connections/test-connection';

export const POST = apiRoute(testConnectionContract, async ({ db, ctx, params }) =>
  testConnection({ db, ctx, name: params.name }),
);
