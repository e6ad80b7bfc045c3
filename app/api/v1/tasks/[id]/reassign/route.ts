import { apiRoute } from '@/server/api/route';
import { reassignTaskContract } from '@/server/api/contracts/tasks';
import { reassignTask } from '@/server/tasks/reassign-task';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(reassignTaskContract, ({ db, ctx, params, body }) =>
  reassignTask({ db, ctx, input: { ...body, id: params.id } }),
);
