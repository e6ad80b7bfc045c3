import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * The Overview's week of runs, rolled up per hour and workflow (issue #16): read at request
 * time, a week of runs is a scan of every run of the week (877 ms with 100,000 runs, more with
 * each run), whatever the index. The worker's metrics rollup (one worker at a time, behind the
 * watermark in metric_rollup) adds each window's runs here in the same transaction that moves
 * the watermark, and the Overview reads these rows plus the runs after the watermark.
 *
 * Filled here from the runs already written up to the current watermark, so the Overview
 * shows the same week before and after this migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE run_hour_counts (
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    hour timestamptz NOT NULL,
    workflow_key text NOT NULL,
    created integer NOT NULL DEFAULT 0,
    ended integer NOT NULL DEFAULT 0,
    succeeded integer NOT NULL DEFAULT 0,
    failed integer NOT NULL DEFAULT 0,
    timed integer NOT NULL DEFAULT 0,
    duration_ms_sum double precision NOT NULL DEFAULT 0,
    duration_ms_max double precision,
    PRIMARY KEY (tenant_id, hour, workflow_key))`.execute(db);
  await sql`
    INSERT INTO run_hour_counts (tenant_id, hour, workflow_key, created, ended, succeeded, failed, timed, duration_ms_sum, duration_ms_max)
    SELECT tenant_id, hour, workflow_key, sum(created), sum(ended), sum(succeeded), sum(failed), sum(timed), sum(ms_sum), max(ms_max)
      FROM (
        SELECT tenant_id, date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, workflow_key,
               count(*) AS created, 0 AS ended, 0 AS succeeded, 0 AS failed, 0 AS timed, 0::float8 AS ms_sum, NULL::float8 AS ms_max
          FROM runs, metric_rollup m
         WHERE m.id = 1 AND created_at <= m.watermark AND created_at >= now() - interval '8 days'
         GROUP BY 1, 2, 3
        UNION ALL
        SELECT tenant_id, date_trunc('hour', completed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', workflow_key, 0,
               count(*) FILTER (WHERE status IN ('SUCCEEDED', 'FAILED', 'CANCELED')),
               count(*) FILTER (WHERE status = 'SUCCEEDED'), count(*) FILTER (WHERE status = 'FAILED'),
               count(*) FILTER (WHERE status = 'SUCCEEDED' AND started_at IS NOT NULL),
               coalesce(sum(date_part('epoch', completed_at - started_at) * 1000) FILTER (WHERE status = 'SUCCEEDED' AND started_at IS NOT NULL), 0),
               max(date_part('epoch', completed_at - started_at) * 1000) FILTER (WHERE status = 'SUCCEEDED' AND started_at IS NOT NULL)
          FROM runs, metric_rollup m
         WHERE m.id = 1 AND completed_at IS NOT NULL AND completed_at <= m.watermark AND completed_at >= now() - interval '8 days'
         GROUP BY 1, 2, 3
      ) part
     GROUP BY 1, 2, 3`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE run_hour_counts`.execute(db);
}
