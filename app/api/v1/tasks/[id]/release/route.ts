import { apiRoute } from '@/server/api/route';
import { releaseTaskContract } from '@/server/api/contracts/tasks';
import { releaseTask } from '@/server/tasks/release-task';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(releaseTaskContract, ({ db, ctx, params }) =>
  releaseTask({ db, ctx, input: { id: params.id } }),
);
