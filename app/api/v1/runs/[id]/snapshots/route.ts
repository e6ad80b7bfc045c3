import { apiRoute } from '@/server/api/route';
import { listRunSnapshotsContract } from '@/server/api/contracts/runs';
import { listRunSnapshots } from '@/server/runs/list-run-snapshots';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listRunSnapshotsContract, ({ db, ctx, params, query }) =>
  listRunSnapshots({ db, ctx, input: { ...params, ...query } }),
);
