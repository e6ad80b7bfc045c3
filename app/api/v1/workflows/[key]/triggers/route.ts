import { apiRoute } from '@/server/api/route';
import { createTriggerContract, listTriggersContract } from '@/server/api/contracts/triggers';
import { createTrigger } from '@/server/triggers/create-trigger';
import { listTriggers } from '@/server/triggers/list-triggers';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listTriggersContract, ({ db, ctx, params }) =>
  listTriggers({ db, ctx, input: { key: params.key } }),
);

export const POST = apiRoute(createTriggerContract, ({ db, ctx, params, body }) =>
  createTrigger({ db, ctx, input: { ...body, key: params.key } }),
);
