import { apiRoute } from '@/server/api/route';
import { cancelRunContract } from '@/server/api/contracts/runs';
import { cancelRun } from '@/server/runs/cancel-run';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(cancelRunContract, ({ db, ctx, params, body }) =>
  cancelRun({ db, ctx, input: { ...body, id: params.id } }),
);
