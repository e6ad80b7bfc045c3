import { z } from 'zod';

/** Runs are kept this many days after they end when neither the version nor the tenant says otherwise (SPEC §8). */
export const DEFAULT_RETENTION_DAYS = 30;

const positiveInt = (max: number, what: string) =>
  z
    .number({ invalid_type_error: `${what} must be a whole number or null` })
    .int(`${what} must be a whole number`)
    .min(1, `${what} must be at least 1`)
    .max(max, `${what} must be at most ${max}`);

/**
 * A tenant's operational settings (Settings → Tenant, `GET, PATCH /api/v1/tenant`): the
 * default retention of its runs and the limits admission holds every run of the tenant to,
 * besides each version's own. `null` means the default (30 days) or no limit.
 */
export const ZTenantSettings = z.object({
  retentionDays: positiveInt(3650, 'retentionDays').nullable(),
  maxConcurrentRuns: positiveInt(100_000, 'maxConcurrentRuns').nullable(),
  runsPerMinute: positiveInt(1_000_000, 'runsPerMinute').nullable(),
  /** Bytes the tenant's artifacts may hold in all (SPEC §11); null: PIPEWRIGHT_ARTIFACT_QUOTA_BYTES, else 1 GiB. */
  artifactQuotaBytes: z
    .number({ invalid_type_error: 'artifactQuotaBytes must be a whole number or null' })
    .int('artifactQuotaBytes must be a whole number')
    .min(0, 'artifactQuotaBytes must be at least 0')
    .max(Number.MAX_SAFE_INTEGER, 'artifactQuotaBytes is too large')
    .nullable(),
});
export type TTenantSettings = z.infer<typeof ZTenantSettings>;

/** A change: any subset of the settings; unknown fields are refused so a typo is not silently ignored. */
export const ZTenantSettingsPatch = ZTenantSettings.partial().strict();
export type TTenantSettingsPatch = z.infer<typeof ZTenantSettingsPatch>;
