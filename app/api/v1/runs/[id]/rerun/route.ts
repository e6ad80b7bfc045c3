import { apiRoute } from '@/server/api/route';
import { rerunRunContract } from '@/server/api/contracts/runs';
import { rerunRun } from '@/server/runs/rerun-run';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(rerunRunContract, ({ db, ctx, params, body }) =>
  rerunRun({ db, ctx, input: { ...body, id: params.id } }),
);
