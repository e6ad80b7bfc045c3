import { apiRoute } from '@/server/api/route';
import { diffVersionsContract } from '@/server/api/contracts/workflows';
import { diffVersions } from '@/server/workflows/diff-versions';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(diffVersionsContract, ({ db, ctx, params, query }) =>
  diffVersions({ db, ctx, input: { key: params.key, version: params.n, against: query.against } }),
);
