import { apiRoute } from '@/server/api/route';
import { migrateRunContract } from '@/server/api/contracts/runs';
import { migrateRun } from '@/server/runs/migrate-run';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(migrateRunContract, ({ db, ctx, params, body }) =>
  migrateRun({ db, ctx, input: { ...body, id: params.id } }),
);
