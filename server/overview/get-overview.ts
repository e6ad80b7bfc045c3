import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { ADVANCE_QUEUE } from '@/server/runtime/queue/run-queue';
import { weekOfRuns, type TWeekRow } from '@/server/overview/run-hour-counts';
import { isTerminal, RUN_STATUSES } from '@/model/run-status';

export const ZOverviewBucket = z.object({
  at: z.string(),
  started: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
});
export type TOverviewBucket = z.infer<typeof ZOverviewBucket>;

export const ZOverview = z.object({
  /** The last 24 hours by hour and the last 7 days by day (UTC), oldest first, gaps filled with zeros. */
  hourly: z.array(ZOverviewBucket),
  daily: z.array(ZOverviewBucket),
  active: z.object({
    queued: z.number().int(),
    running: z.number().int(),
    waiting: z.number().int(),
    paused: z.number().int(),
  }),
  slowest: z.array(z.object({ workflowKey: z.string(), runs: z.number().int(), avgMs: z.number(), maxMs: z.number() })),
  failing: z.array(z.object({ workflowKey: z.string(), runs: z.number().int(), failed: z.number().int() })),
  openTasks: z.number().int(),
  /** Jobs of this tenant's runs ready for a worker now (not the ones scheduled for later). */
  queueDepth: z.number().int(),
  totalRuns7d: z.number().int(),
});
export type TOverview = z.infer<typeof ZOverview>;

const TOP = 5;

/** The statuses of runs that have not ended: the "now" counts, and the runs whose jobs the queue depth counts. */
const ACTIVE_STATUSES = RUN_STATUSES.filter((status) => !isTerminal(status));

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Empty buckets for the last `count` hours or days (UTC), oldest first. */
function emptyBuckets(now: Date, unitMs: number, count: number): TOverviewBucket[] {
  const last = Math.floor(now.getTime() / unitMs) * unitMs;
  return Array.from({ length: count }, (_, i) => ({
    at: new Date(last - (count - 1 - i) * unitMs).toISOString(),
    started: 0,
    succeeded: 0,
    failed: 0,
  }));
}

/** Adds an hour's counts to the hourly bucket and the daily bucket it falls in, when it is in their windows. */
function addHour(
  hourly: TOverviewBucket[],
  daily: TOverviewBucket[],
  hour: Date,
  counts: Partial<Omit<TOverviewBucket, 'at'>>,
): void {
  const day = new Date(Math.floor(hour.getTime() / DAY_MS) * DAY_MS).toISOString();
  for (const bucket of [hourly.find((b) => b.at === hour.toISOString()), daily.find((b) => b.at === day)]) {
    if (!bucket) continue;
    bucket.started += counts.started ?? 0;
    bucket.succeeded += counts.succeeded ?? 0;
    bucket.failed += counts.failed ?? 0;
  }
}

let queueInstalled = false;

/** The queue depth's statement (see queueDepth). Exported for the benchmark's EXPLAIN. */
export function queueDepthQuery(tenantId: string) {
  return sql<{ n: number }>`
    SELECT count(*)::int AS n FROM pgboss.job j JOIN runs r ON r.id = (j.data->>'runId')::uuid
     WHERE j.name = ${ADVANCE_QUEUE} AND j.state < 'active' AND NOT j.blocked AND j.start_after <= now()
       AND r.tenant_id = ${tenantId} AND r.status IN (${sql.join(ACTIVE_STATUSES)})`;
}

/** Ready jobs of the tenant's runs that have not ended, in the advance queue; none before pg-boss has created its schema. */
async function queueDepth(db: DbOrTx, tenantId: string): Promise<number> {
  if (!queueInstalled) {
    const installed = await sql<{ ok: boolean }>`SELECT to_regclass('pgboss.job') IS NOT NULL AS ok`.execute(db);
    if (!installed.rows[0]?.ok) return 0;
    queueInstalled = true; // pg-boss never drops its schema: asked once per process, not per page
  }
  // pg-boss jobs carry only the run id; the run's row is what keeps another tenant's jobs out.
  // `state < 'active' AND NOT blocked` (created or retry, not waiting on another job) is the
  // predicate of pg-boss's own fetch index (job_i11), so only ready jobs are read: said as
  // `state IN (…)` the planner could not use it and read every job the queue kept, completed
  // ones included (a sequential scan that grows with every run until pg-boss deletes them).
  // The runs side is the tenant's runs that have not ended, read from the (tenant, status) index:
  // joined with all its runs, the plan followed pgboss.job's lagging statistics: during a backlog
  // it hashed every run the tenant ever had (437 ms at 49,000 runs), after one it chose a
  // parallel plan (25-48 ms on a loaded machine) to count no jobs at all. A job of an ended run is not counted: a
  // worker drops it at once, it is no work waiting.
  const result = await queueDepthQuery(tenantId).execute(db);
  return result.rows[0]?.n ?? 0;
}

/** The overview dashboard: run counts over time, what is going on now, the slowest and most failing workflows of the week. */
export async function getOverview({ db, ctx }: { db: DbOrTx; ctx: TAuthContext }): Promise<TOverview> {
  assertAllowed(ctx, 'run.read');
  const tenantId = ctx.tenantId;
  // Three statements at once (the week, what is going on now, the queue): each holds a pooled
  // connection, and the page's other parts and its layout want theirs at the same moment.
  const [week, current, queue] = await Promise.all([
    weekOfRuns(tenantId).execute(db),
    sql<{ now: Date; queued: number; running: number; waiting: number; paused: number; open_tasks: number }>`
      SELECT now() AS now, a.*,
             (SELECT count(*)::int FROM tasks WHERE tenant_id = ${tenantId} AND status = 'open') AS open_tasks
        FROM (SELECT (count(*) FILTER (WHERE status = 'QUEUED'))::int AS queued,
                     (count(*) FILTER (WHERE status = 'RUNNING'))::int AS running,
                     (count(*) FILTER (WHERE status = 'WAITING'))::int AS waiting,
                     (count(*) FILTER (WHERE status = 'PAUSED'))::int AS paused
                FROM runs WHERE tenant_id = ${tenantId} AND status IN (${sql.join(ACTIVE_STATUSES)})) a`
      .execute(db)
      .then((result) => result.rows[0]!),
    queueDepth(db, tenantId),
  ]);
  const { now, open_tasks: openTasks, ...active } = current;
  const hourly = emptyBuckets(now, HOUR_MS, 24);
  const daily = emptyBuckets(now, DAY_MS, 7);
  for (const row of week.rows)
    if (row.hour)
      addHour(hourly, daily, row.hour, { started: row.created, succeeded: row.succeeded, failed: row.failed });
  const perWorkflow = week.rows.filter(
    (row): row is TWeekRow & { workflow_key: string } => row.hour === null && row.workflow_key !== null,
  );
  const slowest = perWorkflow
    .filter((row): row is TWeekRow & { workflow_key: string; ms_max: number } => row.timed > 0 && row.ms_max !== null)
    .map((row) => ({ ...row, avg_ms: row.ms_sum / row.timed }))
    .sort((a, b) => b.avg_ms - a.avg_ms)
    .slice(0, TOP);
  const failing = perWorkflow
    .filter((row) => row.failed > 0)
    .sort((a, b) => b.failed - a.failed || (a.workflow_key < b.workflow_key ? -1 : 1))
    .slice(0, TOP);
  const totalRuns7d = daily.reduce((sum, bucket) => sum + bucket.started, 0);
  return {
    hourly,
    daily,
    active,
    slowest: slowest.map((row) => ({
      workflowKey: row.workflow_key,
      runs: row.timed,
      avgMs: Math.round(row.avg_ms),
      maxMs: Math.round(row.ms_max),
    })),
    failing: failing.map((row) => ({ workflowKey: row.workflow_key, runs: row.ended, failed: row.failed })),
    openTasks,
    queueDepth: queue,
    totalRuns7d,
  };
}
