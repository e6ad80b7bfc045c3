import { apiRoute } from '@/server/api/route';
import { publishVersionContract } from '@/server/api/contracts/workflows';
import { publishVersion } from '@/server/workflows/publish-version';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(publishVersionContract, ({ db, ctx, params }) =>
  publishVersion({ db, ctx, input: { key: params.key, version: params.n } }),
);
