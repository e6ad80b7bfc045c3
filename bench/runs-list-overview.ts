/**
 * The Overview's SQL at scale, for section D (bench/runs-list.ts): the EXPLAIN of its statements
 * beside what they replaced (read in the same run), and its server functions timed alone.
 */
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { explain } from '@/bench/runs-list-explain';
import { figureRow, latencyRow, percentiles } from '@/bench/lib/stats';
import { weekOfRuns } from '@/server/overview/run-hour-counts';
import { getOverview, queueDepthQuery } from '@/server/overview/get-overview';
import { getStuckWork } from '@/server/overview/get-stuck-work';
import { listAlertFirings } from '@/server/alerts/manage-alert-rules';
import { ADVANCE_QUEUE } from '@/server/runtime/queue/run-queue';
import type { TAuthContext } from '@/server/auth/context';

export async function overviewSql(db: Db, tenantId: string) {
  // The Overview reads the worker's hourly rollup plus the runs after its watermark (5 s timer, 10 s lag).
  const lag = await sql<{ behind: number; rolled: number }>`
    SELECT (SELECT count(*)::int FROM runs WHERE tenant_id = ${tenantId}
              AND created_at > (SELECT watermark FROM metric_rollup WHERE id = 1)) AS behind,
           (SELECT coalesce(sum(created), 0)::int FROM run_hour_counts WHERE tenant_id = ${tenantId}) AS rolled`.execute(
    db,
  );
  const overviewPlan = await explain(db, weekOfRuns(tenantId));
  // Baseline: the week read from the runs themselves, as the Overview did before the rollup.
  const fromRuns = await explain(
    db,
    sql`SELECT date_trunc('hour', created_at AT TIME ZONE 'UTC') AS hour, workflow_key, count(*)::int AS runs,
               (count(*) FILTER (WHERE status = 'FAILED'))::int AS failed
          FROM runs WHERE tenant_id = ${tenantId} AND created_at >= now() - interval '7 days'
         GROUP BY GROUPING SETS ((1), (workflow_key))`,
  );
  console.log(
    figureRow(
      'baseline: the week by creation read from runs (before)',
      `${fromRuns.executionMs.toFixed(1)} ms`,
      `via ${fromRuns.indexes.join(', ') || 'a sequential scan'}`,
    ),
  );
  console.log(
    figureRow(
      `Overview SQL: the week (${lag.rows[0]!.rolled} runs rolled up, ${lag.rows[0]!.behind} after the watermark)`,
      `${overviewPlan.executionMs.toFixed(1)} ms`,
      `via ${overviewPlan.indexes.join(', ') || 'NO INDEX'}`,
    ),
  );
  // The queue depth: joined with every run of the tenant as before, and with the runs that have not ended.
  const queueBefore = await explain(
    db,
    sql`SELECT count(*)::int AS n FROM pgboss.job j JOIN runs r ON r.id = (j.data->>'runId')::uuid
         WHERE j.name = ${ADVANCE_QUEUE} AND j.state < 'active' AND NOT j.blocked AND j.start_after <= now()
           AND r.tenant_id = ${tenantId}`,
  );
  const queueAfter = await explain(db, queueDepthQuery(tenantId));
  for (const [name, plan] of [
    ['baseline: queue depth joined with all runs (before)', queueBefore],
    ['Overview SQL: queue depth joined with runs not ended', queueAfter],
  ] as const)
    console.log(
      figureRow(name, `${plan.executionMs.toFixed(1)} ms`, `via ${plan.indexes.join(', ') || 'sequential scans'}`),
    );
  // Where the Overview page's time goes: each of its server functions alone, in this process.
  const ctx = {
    tenantId: tenantId,
    tenantSlug: 'default',
    tenantName: 'Default',
    role: 'admin',
    actor: { type: 'system', name: 'bench' },
  } satisfies TAuthContext;
  const alone = async (fn: () => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await fn();
      samples.push(performance.now() - t0);
    }
    return percentiles(samples);
  };
  const parts = {
    getOverview: await alone(() => getOverview({ db, ctx })),
    getStuckWork: await alone(() => getStuckWork({ db, ctx })),
    listAlertFirings: await alone(() => listAlertFirings({ db, ctx, limit: 10 })),
  };
  for (const [name, stats] of Object.entries(parts)) console.log(latencyRow(`  Overview page: ${name}`, stats));
  const overviewPlans = {
    week: { ...overviewPlan, rolledUpRuns: lag.rows[0]!.rolled, runsAfterWatermark: lag.rows[0]!.behind },
    queueDepthBefore: queueBefore,
    queueDepth: queueAfter,
  };
  return {
    overviewPlans,
    overviewParts: Object.fromEntries(Object.entries(parts).map(([name, t]) => [name, { p50Ms: t.p50, maxMs: t.max }])),
  };
}
