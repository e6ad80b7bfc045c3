import { apiRoute } from '@/server/api/route';
import { listConnectionToolsContract } from '@/server/api/contracts/connections';
import { listConnectionTools } from '@/server/connections/list-connection-tools';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listConnectionToolsContract, async ({ db, ctx, params }) => ({
  items: await listConnectionTools({ db, ctx, name: params.name }),
}));
