import { apiRoute } from '@/server/api/route';
import { readWebhookListenContract, startWebhookListenContract } from '@/server/api/contracts/triggers';
import { readWebhookListen, startWebhookListen } from '@/server/triggers/webhook-listen';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(startWebhookListenContract, ({ db, ctx, params }) =>
  startWebhookListen({ db, ctx, id: params.id }),
);

export const GET = apiRoute(readWebhookListenContract, ({ db, ctx, params }) =>
  readWebhookListen({ db, ctx, id: params.id }),
);
