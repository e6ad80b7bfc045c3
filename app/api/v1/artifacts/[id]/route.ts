import { apiRoute } from '@/server/api/route';
import { downloadArtifactContract } from '@/server/api/contracts/artifacts';
import { downloadArtifact } from '@/server/artifacts/download-artifact';

export const dynamic = 'force-dynamic';

/** Streams the bytes (never a JSON body): see downloadArtifact for the headers. */
export const GET = apiRoute(downloadArtifactContract, ({ db, ctx, params, query }) =>
  downloadArtifact({ db, ctx, input: { id: params.id, disposition: query.disposition } }),
);
