import { apiRoute, jsonResponse } from '@/server/api/route';
import { getVersionContract } from '@/server/api/contracts/workflows';
import { getVersion } from '@/server/workflows/get-version';

export const dynamic = 'force-dynamic';

/** The revision travels as the ETag so the body stays exactly the importable version document. */
export const GET = apiRoute(getVersionContract, async ({ db, ctx, params }) => {
  const { document, summary } = await getVersion({ db, ctx, input: { key: params.key, version: params.n } });
  return jsonResponse(document, 200, { etag: `"${summary.revision}"` });
});
