import { apiRoute } from '@/server/api/route';
import { getMetricsContract } from '@/server/api/contracts/operations';
import { authorizeMetrics } from '@/server/metrics/authorize-metrics';
import { METRICS_CONTENT_TYPE, renderMetrics } from '@/server/metrics/read-metrics';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(getMetricsContract, async ({ db, request }) => {
  const scope = await authorizeMetrics(request);
  return new Response(await renderMetrics({ db, scope }), {
    headers: { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' },
  });
});
