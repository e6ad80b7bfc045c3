import 'server-only';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { ZTenantSettingsPatch, type TTenantSettingsPatch } from '@/model/tenant-settings';
import { validationErrorFromZod } from '@/model/errors';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { forgetTenantLimits } from '@/server/tenants/tenant-limits';
import { getTenantSettings, type TTenantRecord } from '@/server/tenants/tenant-settings';

/**
 * Changes the caller's tenant settings (admins only): the fields given, `null` to go back to
 * the default. Audited with the values before and after.
 */
export async function updateTenantSettings({
  db,
  ctx,
  input: raw,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TTenantSettingsPatch;
}): Promise<TTenantRecord> {
  assertAllowed(ctx, 'tenant.manage');
  const parsed = ZTenantSettingsPatch.safeParse(raw);
  if (!parsed.success) throw validationErrorFromZod(parsed.error);
  const input = parsed.data;
  const result = await db.transaction().execute(async (tx) => {
    const before = await getTenantSettings({ db: tx, ctx });
    const set = {
      ...(input.retentionDays !== undefined ? { retention_days: input.retentionDays } : {}),
      ...(input.maxConcurrentRuns !== undefined ? { max_concurrent_runs: input.maxConcurrentRuns } : {}),
      ...(input.runsPerMinute !== undefined ? { runs_per_minute: input.runsPerMinute } : {}),
      ...(input.artifactQuotaBytes !== undefined ? { artifact_quota_bytes: input.artifactQuotaBytes } : {}),
    };
    if (Object.keys(set).length === 0) return before;
    await tx.updateTable('tenants').set(set).where('id', '=', ctx.tenantId).execute();
    const after = await getTenantSettings({ db: tx, ctx });
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'tenant.settings_changed',
        targetType: 'tenant',
        targetId: ctx.tenantId,
        data: { before: before.settings, after: after.settings },
      },
    });
    return after;
  });
  forgetTenantLimits(ctx.tenantId);
  return result;
}
