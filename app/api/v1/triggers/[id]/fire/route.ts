import { apiRoute } from '@/server/api/route';
import { fireTriggerNowContract } from '@/server/api/contracts/triggers';
import { fireTriggerNow } from '@/server/triggers/fire-trigger-now';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(fireTriggerNowContract, ({ db, ctx, params }) =>
  fireTriggerNow({ db, ctx, input: { id: params.id } }),
);
