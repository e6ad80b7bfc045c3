import { apiRoute } from '@/server/api/route';
import { deleteTriggerContract, updateTriggerContract } from '@/server/api/contracts/triggers';
import { deleteTrigger } from '@/server/triggers/delete-trigger';
import { updateTrigger } from '@/server/triggers/update-trigger';

export const dynamic = 'force-dynamic';

export const DELETE = apiRoute(deleteTriggerContract, ({ db, ctx, params }) =>
  deleteTrigger({ db, ctx, input: { id: params.id } }),
);

export const PATCH = apiRoute(updateTriggerContract, ({ db, ctx, params, body }) =>
  updateTrigger({ db, ctx, input: { ...body, id: params.id } }),
);
