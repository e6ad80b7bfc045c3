import { apiRoute } from '@/server/api/route';
import { deliverEventContract } from '@/server/api/contracts/events';
import { deliverEvent } from '@/server/events/deliver-event';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(deliverEventContract, ({ db, ctx, body }) => deliverEvent({ db, ctx, input: body }));
