import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';
import { authorizeRequest } from '@/server/auth/authorize';
import type { TMetricsScope } from '@/server/metrics/read-metrics';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Who may scrape, and what they see: `Authorization: Bearer $PIPEWRIGHT_METRICS_TOKEN` sees
 * every tenant (compared in constant time); anything else goes through authorizeRequest and
 * needs `metrics.read` (admins), scoped to the token's tenant.
 */
export async function authorizeMetrics(
  request: Request,
  env: Record<string, string | undefined> = process.env,
): Promise<TMetricsScope> {
  const metricsToken = env.PIPEWRIGHT_METRICS_TOKEN;
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  if (metricsToken && metricsToken.length >= 16 && bearer && timingSafeEqual(digest(bearer), digest(metricsToken)))
    return { kind: 'all' };
  const ctx = await authorizeRequest(request, 'metrics.read');
  return { kind: 'tenant', tenantId: ctx.tenantId };
}
