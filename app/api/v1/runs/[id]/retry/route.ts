import { apiRoute } from '@/server/api/route';
import { retryRunContract } from '@/server/api/contracts/runs';
import { retryRun } from '@/server/runs/retry-run';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(retryRunContract, ({ db, ctx, params, body }) =>
  retryRun({ db, ctx, input: { ...body, id: params.id } }),
);
