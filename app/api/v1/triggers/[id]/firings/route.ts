import { apiRoute } from '@/server/api/route';
import { listTriggerFiringsContract } from '@/server/api/contracts/triggers';
import { findTrigger } from '@/server/triggers/trigger-record';
import { listTriggerFirings } from '@/server/triggers/list-trigger-firings';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listTriggerFiringsContract, async ({ db, ctx, params, query }) => {
  const trigger = await findTrigger({ db, tenantId: ctx.tenantId, id: params.id });
  const firings = await listTriggerFirings({ db, ctx, input: { triggerIds: [trigger.id], perTrigger: query.limit } });
  return { items: firings[trigger.id] ?? [], nextCursor: null };
});
