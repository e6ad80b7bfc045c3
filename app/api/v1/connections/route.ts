import { apiRoute } from '@/server/api/route';
import { listConnectionsContract, putConnectionContract } from '@/server/api/contracts/connections';
import { listConnections } from '@/server/connections/list-connections';
import { putConnection } from '@/server/connections/put-connection';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listConnectionsContract, async ({ db, ctx, query }) => ({
  items: await listConnections({ db, ctx, type: query.type }),
  nextCursor: null,
}));

export const POST = apiRoute(
  putConnectionContract,
  async ({ db, ctx, body }) => (await putConnection({ db, ctx, input: body })).record,
);
