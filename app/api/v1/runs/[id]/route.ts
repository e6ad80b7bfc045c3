import { apiRoute } from '@/server/api/route';
import { getRunContract } from '@/server/api/contracts/runs';
import { getRun } from '@/server/runs/get-run';
import { deleteRunContract } from '@/server/api/contracts/operations';
import { deleteRun } from '@/server/runs/delete-run';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(getRunContract, ({ db, ctx, params }) => getRun({ db, ctx, input: params }));

export const DELETE = apiRoute(deleteRunContract, ({ db, ctx, params, query }) =>
  deleteRun({ db, ctx, input: { id: params.id, reason: query.reason } }),
);
