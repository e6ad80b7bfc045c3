import { apiRoute } from '@/server/api/route';
import { replayVersionContract } from '@/server/api/contracts/authoring';
import { replayVersion } from '@/server/workflows/replay-version';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(replayVersionContract, ({ db, ctx, params, body }) =>
  replayVersion({ db, ctx, input: { key: params.key, version: params.n, body } }),
);
