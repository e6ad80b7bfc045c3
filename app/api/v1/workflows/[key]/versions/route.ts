import { apiRoute } from '@/server/api/route';
import { listVersionsContract, saveDraftContract } from '@/server/api/contracts/workflows';
import { listVersions } from '@/server/workflows/list-versions';
import { saveDraft } from '@/server/workflows/save-draft';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listVersionsContract, ({ db, ctx, params, query }) =>
  listVersions({ db, ctx, input: { key: params.key, ...query } }),
);

export const POST = apiRoute(saveDraftContract, ({ db, ctx, params, query, body }) =>
  saveDraft({ db, ctx, input: { key: params.key, document: body, expectedRevision: query.expectedRevision } }),
);
