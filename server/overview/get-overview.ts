import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { ADVANCE_QUEUE } from '@/server/runtime/queue/run-queue';

export const ZOverviewBucket = z.object({ at: z.string(), started: z.number().int(), succeeded: z.number().int(), failed: z.number().int() });
export type TOverviewBucket = z.infer<typeof ZOverviewBucket>;

export const ZOverview = z.object({
  /** The last 24 hours by hour and the last 7 days by day (UTC), oldest first, gaps filled with zeros. */
  hourly: z.array(ZOverviewBucket),
  daily: z.array(ZOverviewBucket),
  active: z.object({ queued: z.number().int(), running: z.number().int(), waiting: z.number().int(), paused: z.number().int() }),
  slowest: z.array(z.object({ workflowKey: z.string(), runs: z.number().int(), avgMs: z.number(), maxMs: z.number() })),
  failing: z.array(z.object({ workflowKey: z.string(), runs: z.number().int(), failed: z.number().int() })),
  openTasks: z.number().int(),
  /** Jobs of this tenant's runs ready for a worker now (not the ones scheduled for later). */
  queueDepth: z.number().int(),
  totalRuns7d: z.number().int(),
});
export type TOverview = z.infer<typeof ZOverview>;

const TOP = 5;

/** One bucket per hour or day: runs created in it, and runs that ended in it as SUCCEEDED or FAILED. */
async function buckets(db: DbOrTx, tenantId: string, unit: 'hour' | 'day', count: number): Promise<TOverviewBucket[]> {
  const step = sql.raw(`'1 ${unit}'::interval`);
  const trunc = sql.lit(unit);
  const result = await sql<{ at: Date; started: number; succeeded: number; failed: number }>`
    WITH slots AS (
      SELECT generate_series(date_trunc(${trunc}, now() AT TIME ZONE 'UTC') - ${step} * ${count - 1}, date_trunc(${trunc}, now() AT TIME ZONE 'UTC'), ${step}) AS at
    ),
    started AS (
      SELECT date_trunc(${trunc}, created_at AT TIME ZONE 'UTC') AS at, count(*)::int AS n FROM runs
       WHERE tenant_id = ${tenantId} AND created_at >= (SELECT min(at) FROM slots) AT TIME ZONE 'UTC' GROUP BY 1
    ),
    ended AS (
      SELECT date_trunc(${trunc}, completed_at AT TIME ZONE 'UTC') AS at,
             (count(*) FILTER (WHERE status = 'SUCCEEDED'))::int AS succeeded, (count(*) FILTER (WHERE status = 'FAILED'))::int AS failed FROM runs
       WHERE tenant_id = ${tenantId} AND completed_at >= (SELECT min(at) FROM slots) AT TIME ZONE 'UTC' GROUP BY 1
    )
    SELECT slots.at AT TIME ZONE 'UTC' AS at, coalesce(started.n, 0) AS started, coalesce(ended.succeeded, 0) AS succeeded, coalesce(ended.failed, 0) AS failed
      FROM slots LEFT JOIN started USING (at) LEFT JOIN ended USING (at) ORDER BY slots.at`.execute(db);
  return result.rows.map((row) => ({ at: row.at.toISOString(), started: row.started, succeeded: row.succeeded, failed: row.failed }));
}

/** Ready jobs of the tenant's runs in the advance queue; none before pg-boss has created its schema. */
async function queueDepth(db: DbOrTx, tenantId: string): Promise<number> {
  const installed = await sql<{ ok: boolean }>`SELECT to_regclass('pgboss.job') IS NOT NULL AS ok`.execute(db);
  if (!installed.rows[0]?.ok) return 0;
  // pg-boss jobs carry only the run id; the join to runs is what keeps another tenant's jobs out.
  const result = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM pgboss.job j JOIN runs r ON r.id = (j.data->>'runId')::uuid
     WHERE j.name = ${ADVANCE_QUEUE} AND j.state IN ('created', 'retry') AND j.start_after <= now() AND r.tenant_id = ${tenantId}`.execute(db);
  return result.rows[0]?.n ?? 0;
}

/** The overview dashboard: run counts over time, what is going on now, the slowest and most failing workflows of the week. */
export async function getOverview({ db, ctx }: { db: DbOrTx; ctx: TAuthContext }): Promise<TOverview> {
  assertAllowed(ctx, 'run.read');
  const tenantId = ctx.tenantId;
  const weekAgo = sql<Date>`now() - interval '7 days'`;
  const [hourly, daily, active, slowest, failing, openTasks, queue] = await Promise.all([
    buckets(db, tenantId, 'hour', 24),
    buckets(db, tenantId, 'day', 7),
    db
      .selectFrom('runs')
      .select([
        sql<number>`(count(*) FILTER (WHERE status = 'QUEUED'))::int`.as('queued'),
        sql<number>`(count(*) FILTER (WHERE status = 'RUNNING'))::int`.as('running'),
        sql<number>`(count(*) FILTER (WHERE status = 'WAITING'))::int`.as('waiting'),
        sql<number>`(count(*) FILTER (WHERE status = 'PAUSED'))::int`.as('paused'),
      ])
      .where('tenant_id', '=', tenantId)
      .where('status', 'in', ['QUEUED', 'RUNNING', 'WAITING', 'PAUSED'])
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('runs')
      .select([
        'workflow_key',
        sql<number>`count(*)::int`.as('runs'),
        sql<number>`(avg(extract(epoch FROM completed_at - started_at) * 1000))::float8`.as('avg_ms'),
        sql<number>`(max(extract(epoch FROM completed_at - started_at) * 1000))::float8`.as('max_ms'),
      ])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'SUCCEEDED')
      .where('started_at', 'is not', null)
      .where('completed_at', '>=', weekAgo)
      .groupBy('workflow_key')
      .orderBy('avg_ms', 'desc')
      .limit(TOP)
      .execute(),
    db
      .selectFrom('runs')
      .select(['workflow_key', sql<number>`count(*)::int`.as('runs'), sql<number>`(count(*) FILTER (WHERE status = 'FAILED'))::int`.as('failed')])
      .where('tenant_id', '=', tenantId)
      .where('created_at', '>=', weekAgo)
      .groupBy('workflow_key')
      .having(sql<boolean>`count(*) FILTER (WHERE status = 'FAILED') > 0`)
      .orderBy('failed', 'desc')
      .orderBy('workflow_key')
      .limit(TOP)
      .execute(),
    db.selectFrom('tasks').select(sql<number>`count(*)::int`.as('n')).where('tenant_id', '=', tenantId).where('status', '=', 'open').executeTakeFirstOrThrow(),
    queueDepth(db, tenantId),
  ]);
  const totalRuns7d = daily.reduce((sum, bucket) => sum + bucket.started, 0);
  return {
    hourly,
    daily,
    active,
    slowest: slowest.map((row) => ({ workflowKey: row.workflow_key, runs: row.runs, avgMs: Math.round(row.avg_ms), maxMs: Math.round(row.max_ms) })),
    failing: failing.map((row) => ({ workflowKey: row.workflow_key, runs: row.runs, failed: row.failed })),
    openTasks: openTasks.n,
    queueDepth: queue,
    totalRuns7d,
  };
}
