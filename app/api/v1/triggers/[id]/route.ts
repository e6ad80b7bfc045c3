import { apiRoute } from '@/server/api/route';
import { deleteTriggerContract, setTriggerEnabledContract } from '@/server/api/contracts/triggers';
import { deleteTrigger } from '@/server/triggers/delete-trigger';
import { setTriggerEnabled } from '@/server/triggers/set-trigger-enabled';

export const dynamic = 'force-dynamic';

export const DELETE = apiRoute(deleteTriggerContract, ({ db, ctx, params }) =>
  deleteTrigger({ db, ctx, input: { id: params.id } }),
);

export const PATCH = apiRoute(setTriggerEnabledContract, ({ db, ctx, params, body }) =>
  setTriggerEnabled({ db, ctx, input: { id: params.id, enabled: body.enabled } }),
);
