import { apiRoute } from '@/server/api/route';
import { exportRunContract } from '@/server/api/contracts/operations';
import { exportRun } from '@/server/runs/export-run';

export const dynamic = 'force-dynamic';

/** The document, offered as a file named after the run (`?download=1` from the run page's button). */
export const GET = apiRoute(exportRunContract, async ({ db, ctx, params, query }) => {
  const document = await exportRun({ db, ctx, input: params });
  return new Response(JSON.stringify(document, null, 2), {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...(query.download ? { 'content-disposition': `attachment; filename="run-${document.run.id}.json"` } : {}),
    },
  });
});
