import { apiRoute } from '@/server/api/route';
import { completeTaskContract } from '@/server/api/contracts/tasks';
import { completeTask } from '@/server/tasks/complete-task';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(completeTaskContract, ({ db, ctx, params, body }) =>
  completeTask({ db, ctx, input: { ...body, id: params.id } }),
);
