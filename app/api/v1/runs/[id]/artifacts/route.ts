import { apiRoute } from '@/server/api/route';
import { listRunArtifactsContract } from '@/server/api/contracts/artifacts';
import { listRunArtifacts } from '@/server/artifacts/list-run-artifacts';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listRunArtifactsContract, ({ db, ctx, params, query }) =>
  listRunArtifacts({ db, ctx, input: { ...params, ...query } }),
);
