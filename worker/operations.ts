import type { Db } from '@/server/db/database';
import { purgeExpiredRuns } from '@/server/retention/purge-expired-runs';
import { TENANT_SLOTS_INTERVAL_MS, sendHeldTenantRuns } from '@/server/tenants/send-held-tenant-runs';

/** Between retention passes (PIPEWRIGHT_RETENTION_INTERVAL_MS, default 10 minutes). */
export function retentionIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.PIPEWRIGHT_RETENTION_INTERVAL_MS ?? 600_000);
  return Number.isFinite(value) && value >= 1_000 ? value : 600_000;
}

/**
 * The worker's operations timers: retention passes, tenant slots. Each pass takes its own
 * lock in the database, so with many workers one does the work and the others find it taken.
 * Handed closures only; returns a stop function.
 */
export function startOperations({ db, log }: { db: Db; log: (line: string) => void }): () => void {
  const timers: NodeJS.Timeout[] = [];
  let purging = false;
  const purge = () => {
    if (purging) return;
    purging = true;
    purgeExpiredRuns({ db })
      .then((pass) => {
        if (pass.deleted > 0) log(`retention: deleted ${pass.deleted} run(s) in ${pass.batches} batch(es)`);
      })
      .catch((error: Error) => log(`retention: ${error.message}`))
      .finally(() => {
        purging = false;
      });
  };
  timers.push(setTimeout(purge, 30_000), setInterval(purge, retentionIntervalMs()));
  let sending = false;
  timers.push(
    setInterval(() => {
      if (sending) return;
      sending = true;
      sendHeldTenantRuns({ db })
        .catch((error: Error) => log(`tenant slots: ${error.message}`))
        .finally(() => {
          sending = false;
        });
    }, TENANT_SLOTS_INTERVAL_MS),
  );
  return () => timers.forEach((timer) => clearInterval(timer));
}
