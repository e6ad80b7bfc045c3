import 'server-only';
import { sql } from 'kysely';
import type { DbOrTx } from '@/server/db/database';
import { StepFailure } from '@/server/runtime/nodes/node-result';

/** SPEC §11: the largest artifact Pipewright stores, unless PIPEWRIGHT_ARTIFACT_MAX_BYTES says otherwise. */
export const DEFAULT_ARTIFACT_MAX_BYTES = 25 * 1024 * 1024;
/** What a tenant's artifacts may hold in all, unless PIPEWRIGHT_ARTIFACT_QUOTA_BYTES or the tenant's own setting says otherwise. */
export const DEFAULT_ARTIFACT_QUOTA_BYTES = 1024 * 1024 * 1024;
/** Files one step may return: an output is not a file store. */
export const MAX_ARTIFACTS_PER_STEP = 20;

/** A whole number of bytes from the environment, or the default; anything else is a CONFIG error naming the variable. */
function bytesFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d{1,15}$/.test(raw))
    throw new StepFailure({
      code: 'CONFIG',
      message: `${name} must be a whole number of bytes, not "${raw}"`,
      retryable: false,
    });
  return Number(raw);
}

/** PIPEWRIGHT_ARTIFACT_MAX_BYTES (default 25 MiB), read on every call so a change applies without a restart. */
export function artifactMaxBytes(): number {
  return bytesFromEnv('PIPEWRIGHT_ARTIFACT_MAX_BYTES', DEFAULT_ARTIFACT_MAX_BYTES);
}

/**
 * The tenant's quota and what its artifacts hold now: `tenants.artifact_quota_bytes`, else
 * PIPEWRIGHT_ARTIFACT_QUOTA_BYTES, else 1 GiB. The sum is read from the (tenant_id) INCLUDE
 * (size) index.
 */
export async function readArtifactUsage({
  db,
  tenantId,
}: {
  db: DbOrTx;
  tenantId: string;
}): Promise<{ usedBytes: number; quotaBytes: number }> {
  const row = await sql<{ used: string; quota: string | null }>`
    SELECT (SELECT coalesce(sum(size), 0) FROM run_artifacts WHERE tenant_id = ${tenantId})::text AS used,
           (SELECT artifact_quota_bytes FROM tenants WHERE id = ${tenantId})::text AS quota`.execute(db);
  const { used, quota } = row.rows[0]!;
  return {
    usedBytes: Number(used),
    quotaBytes:
      quota === null ? bytesFromEnv('PIPEWRIGHT_ARTIFACT_QUOTA_BYTES', DEFAULT_ARTIFACT_QUOTA_BYTES) : Number(quota),
  };
}
