import { apiRoute } from '@/server/api/route';
import { pauseRunContract } from '@/server/api/contracts/runs';
import { pauseRun } from '@/server/runs/pause-run';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(pauseRunContract, ({ db, ctx, params, body }) =>
  pauseRun({ db, ctx, input: { ...body, id: params.id } }),
);
