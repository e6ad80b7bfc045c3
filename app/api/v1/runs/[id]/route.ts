import { apiRoute } from '@/server/api/route';
import { getRunContract } from '@/server/api/contracts/runs';
import { getRun } from '@/server/runs/get-run';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(getRunContract, ({ db, ctx, params }) => getRun({ db, ctx, input: params }));
