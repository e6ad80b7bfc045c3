import { apiRoute } from '@/server/api/route';
import { claimTaskContract } from '@/server/api/contracts/tasks';
import { claimTask } from '@/server/tasks/claim-task';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(claimTaskContract, ({ db, ctx, params }) =>
  claimTask({ db, ctx, input: { id: params.id } }),
);
