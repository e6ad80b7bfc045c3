import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import type { TTenantSettings } from '@/model/tenant-settings';
import { AppError } from '@/model/errors';

/** The tenant as `GET /api/v1/tenant` returns it. */
export type TTenantRecord = { id: string; slug: string; name: string; settings: TTenantSettings };

/** The caller's tenant with its operational settings. */
export async function getTenantSettings({
  db,
  ctx,
}: {
  db: DbOrTx;
  ctx: Pick<TAuthContext, 'tenantId'>;
}): Promise<TTenantRecord> {
  const row = await db
    .selectFrom('tenants')
    .select(['id', 'slug', 'name', 'retention_days', 'max_concurrent_runs', 'runs_per_minute', 'artifact_quota_bytes'])
    .where('id', '=', ctx.tenantId)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'The tenant does not exist.');
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    settings: {
      retentionDays: row.retention_days,
      maxConcurrentRuns: row.max_concurrent_runs,
      runsPerMinute: row.runs_per_minute,
      artifactQuotaBytes: row.artifact_quota_bytes === null ? null : Number(row.artifact_quota_bytes),
    },
  };
}
