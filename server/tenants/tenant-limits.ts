import 'server-only';
import type { Db } from '@/server/db/database';

export type TTenantLimits = { maxConcurrentRuns: number | null; runsPerMinute: number | null };

/** How long a process trusts the limits it read: a change reaches every worker within this. */
const TTL_MS = 2_000;
const cache = new Map<string, { limits: TTenantLimits; at: number }>();

/**
 * The tenant-wide limits admission enforces, read at most once per TTL per process: the
 * worker asks for every run it starts, so the read is cached rather than a query per run.
 */
export async function loadTenantLimits({ db, tenantId }: { db: Db; tenantId: string }): Promise<TTenantLimits> {
  const hit = cache.get(tenantId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.limits;
  const row = await db
    .selectFrom('tenants')
    .select(['max_concurrent_runs', 'runs_per_minute'])
    .where('id', '=', tenantId)
    .executeTakeFirst();
  const limits = { maxConcurrentRuns: row?.max_concurrent_runs ?? null, runsPerMinute: row?.runs_per_minute ?? null };
  if (cache.size > 10_000) cache.clear();
  cache.set(tenantId, { limits, at: Date.now() });
  return limits;
}

/** Forgets a tenant's cached limits in this process (after this process changed them). */
export function forgetTenantLimits(tenantId: string): void {
  cache.delete(tenantId);
}

export const hasTenantLimits = (limits: TTenantLimits) => Boolean(limits.maxConcurrentRuns || limits.runsPerMinute);
