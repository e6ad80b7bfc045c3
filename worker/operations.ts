import type { Db } from '@/server/db/database';
import { purgeExpiredRuns } from '@/server/retention/purge-expired-runs';
import { TENANT_SLOTS_INTERVAL_MS, sendHeldTenantRuns } from '@/server/tenants/send-held-tenant-runs';
import { ROLLUP_INTERVAL_MS, rollupMetrics } from '@/server/metrics/rollup-metrics';
import { ALERT_INTERVAL_MS, evaluateAlerts } from '@/server/alerts/evaluate-alerts';
import { TRACE_EXPORT_INTERVAL_MS, exportRunTraces } from '@/server/tracing/export-run-traces';
import { tracingEnabled } from '@/server/tracing/trace-ids';
import { sweepWebhookListens } from '@/server/triggers/webhook-listen';

/** Between retention passes (PIPEWRIGHT_RETENTION_INTERVAL_MS, default 10 minutes). */
export function retentionIntervalMs(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.PIPEWRIGHT_RETENTION_INTERVAL_MS ?? 600_000);
  return Number.isFinite(value) && value >= 1_000 ? value : 600_000;
}

/** Runs `pass` every `ms`, never two at once; a failure is logged and the next tick tries again. */
function every(ms: number, pass: () => Promise<unknown>, what: string, log: (line: string) => void): NodeJS.Timeout {
  let running = false;
  return setInterval(() => {
    if (running) return;
    running = true;
    pass()
      .catch((error: Error) => log(`${what}: ${error.message}`))
      .finally(() => {
        running = false;
      });
  }, ms);
}

/**
 * The worker's operations timers: retention passes, tenant slots, the metrics rollup, alerts, traces. Each pass takes its own
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
  timers.push(
    every(TENANT_SLOTS_INTERVAL_MS, () => sendHeldTenantRuns({ db }), 'tenant slots', log),
    every(ROLLUP_INTERVAL_MS, () => rollupMetrics({ db }), 'metrics rollup', log),
    every(ALERT_INTERVAL_MS, () => evaluateAlerts({ db }), 'alerts', log),
    // Captured webhook test requests are not kept: swept once their window and ten minutes passed.
    every(60_000, () => sweepWebhookListens({ db }), 'webhook listens', log),
  );
  // Spans only when an OTLP endpoint is configured (SPEC §8).
  if (tracingEnabled()) timers.push(every(TRACE_EXPORT_INTERVAL_MS, () => exportRunTraces({ db }), 'traces', log));
  return () => timers.forEach((timer) => clearInterval(timer));
}
