import { apiRoute } from '@/server/api/route';
import { listRunStepsContract } from '@/server/api/contracts/runs';
import { listRunSteps } from '@/server/runs/list-run-steps';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listRunStepsContract, ({ db, ctx, params, query }) =>
  listRunSteps({ db, ctx, input: { ...params, ...query } }),
);
