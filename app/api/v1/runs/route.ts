import { apiRoute } from '@/server/api/route';
import { listRunsContract } from '@/server/api/contracts/runs';
import { listRuns } from '@/server/runs/list-runs';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listRunsContract, ({ db, ctx, query }) => listRuns({ db, ctx, input: query }));
