import 'server-only';
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '@/server/db/database';

/** Rolled-up hours are kept this long: the Overview reads 7 days, a day more covers the clock moving on. */
const KEEP = sql`interval '8 days'`;

/** The first hour of the Overview's week. */
const WEEK_START = sql`date_trunc('hour', now() - interval '7 days')`;

const hourOf = (column: RawBuilder<unknown>) =>
  sql`date_trunc('hour', ${column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;

/**
 * One tenant's runs created in a time range, per hour and workflow, in the columns of
 * run_hour_counts. Read through runs_tenant_created_cover_idx (tenant, created_at).
 */
function createdPart(tenantId: RawBuilder<unknown>, range: RawBuilder<unknown>) {
  return sql`
    SELECT ${hourOf(sql`created_at`)} AS hour, workflow_key, count(*)::int AS created, 0 AS ended, 0 AS succeeded,
           0 AS failed, 0 AS timed, 0::float8 AS ms_sum, NULL::float8 AS ms_max
      FROM runs WHERE tenant_id = ${tenantId} AND ${range}
     GROUP BY 1, 2`;
}

/**
 * One tenant's runs that ended in a time range, per hour and workflow: outcomes and the
 * durations of succeeded runs. Read through the partial runs_tenant_completed_idx.
 */
function endedPart(tenantId: RawBuilder<unknown>, range: RawBuilder<unknown>) {
  // date_part is float8; extract() is numeric since PostgreSQL 14, slower to sum.
  const ms = sql`date_part('epoch', completed_at - started_at) * 1000`;
  const timed = sql`status = 'SUCCEEDED' AND started_at IS NOT NULL`;
  return sql`
    SELECT ${hourOf(sql`completed_at`)} AS hour, workflow_key, 0 AS created,
           count(*) FILTER (WHERE status IN ('SUCCEEDED', 'FAILED', 'CANCELED'))::int AS ended,
           count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded,
           count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
           count(*) FILTER (WHERE ${timed})::int AS timed,
           coalesce(sum(${ms}) FILTER (WHERE ${timed}), 0)::float8 AS ms_sum,
           (max(${ms}) FILTER (WHERE ${timed}))::float8 AS ms_max
      FROM runs WHERE tenant_id = ${tenantId} AND completed_at IS NOT NULL AND ${range}
     GROUP BY 1, 2`;
}

/**
 * Adds the runs created and ended in the rollup's window (from, to] to run_hour_counts and
 * forgets hours older than the Overview reads. Runs inside rollupMetrics' transaction, so the
 * counts and the watermark move together: a reader sees each run once, either in these rows
 * or after the watermark. Its cost follows the window's runs, read per tenant through indexes.
 */
export async function rollupRunHours(tx: Tx, window: { from: Date; to: Date }): Promise<void> {
  const inWindow = (column: RawBuilder<unknown>) => sql`${column} > ${window.from} AND ${column} <= ${window.to}`;
  const tenant = sql`t.id`;
  await sql`
    INSERT INTO run_hour_counts AS c
           (tenant_id, hour, workflow_key, created, ended, succeeded, failed, timed, duration_ms_sum, duration_ms_max)
    SELECT t.id, x.hour, x.workflow_key, sum(x.created), sum(x.ended), sum(x.succeeded), sum(x.failed), sum(x.timed),
           sum(x.ms_sum), max(x.ms_max)
      FROM tenants t CROSS JOIN LATERAL (
        ${createdPart(tenant, inWindow(sql`created_at`))}
        UNION ALL
        ${endedPart(tenant, inWindow(sql`completed_at`))}) x
     GROUP BY 1, 2, 3
    ON CONFLICT (tenant_id, hour, workflow_key) DO UPDATE SET
       created = c.created + excluded.created, ended = c.ended + excluded.ended,
       succeeded = c.succeeded + excluded.succeeded, failed = c.failed + excluded.failed, timed = c.timed + excluded.timed,
       duration_ms_sum = c.duration_ms_sum + excluded.duration_ms_sum,
       duration_ms_max = greatest(c.duration_ms_max, excluded.duration_ms_max)`.execute(tx);
  await sql`DELETE FROM run_hour_counts WHERE hour < now() - ${KEEP}`.execute(tx);
}

export type TWeekRow = {
  /** Set on the per-hour rows, null on the per-workflow ones. */
  hour: Date | null;
  /** Set on the per-workflow rows, null on the per-hour ones. */
  workflow_key: string | null;
  created: number;
  ended: number;
  succeeded: number;
  failed: number;
  timed: number;
  ms_sum: number;
  ms_max: number | null;
};

/**
 * A tenant's week of runs (from the hour 7 days ago) per hour and per workflow, as two grouping
 * sets: the rolled-up hours, plus the runs created or ended after the rollup's watermark (the
 * last seconds, or everything when no worker has rolled up). One statement, so one snapshot:
 * a rollup committing meanwhile is seen whole or not at all. Exported for the benchmark's EXPLAIN.
 */
export function weekOfRuns(tenantId: string) {
  const tenant = sql`${tenantId}::uuid`;
  const since = sql`(SELECT since FROM w)`;
  return sql<TWeekRow>`
    WITH w AS (
      SELECT greatest(coalesce((SELECT watermark FROM metric_rollup WHERE id = 1), '-infinity'), ${WEEK_START}) AS since)
    SELECT hour, workflow_key, sum(created)::int AS created, sum(ended)::int AS ended, sum(succeeded)::int AS succeeded,
           sum(failed)::int AS failed, sum(timed)::int AS timed, sum(ms_sum)::float8 AS ms_sum, max(ms_max)::float8 AS ms_max
      FROM (
        SELECT hour, workflow_key, created, ended, succeeded, failed, timed, duration_ms_sum AS ms_sum, duration_ms_max AS ms_max
          FROM run_hour_counts WHERE tenant_id = ${tenant} AND hour >= ${WEEK_START}
        UNION ALL
        ${createdPart(tenant, sql`created_at > ${since}`)}
        UNION ALL
        ${endedPart(tenant, sql`completed_at > ${since}`)}) x
     GROUP BY GROUPING SETS ((hour), (workflow_key))`;
}
