import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Operations (issue 19):
 * - Tenant settings: default retention and the tenant-wide limits admission enforces.
 * - Retention: terminal top-level runs by (version, completed_at), so a purge pass reads the
 *   expired runs of each version as one index range and never the runs still kept.
 * - Tenant admission: runs started in the last minute per tenant (runsPerMinute), one range.
 * - Metrics: counters rolled up from the database by one worker at a time (metric_counters,
 *   watermark in metric_rollup), so every worker's work shows whichever web process is
 *   scraped; step records by completion per tenant for that rollup; open waits by kind for
 *   the gauge read at scrape time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE tenants
    ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 1 AND 3650),
    ADD COLUMN max_concurrent_runs integer CHECK (max_concurrent_runs BETWEEN 1 AND 100000),
    ADD COLUMN runs_per_minute integer CHECK (runs_per_minute BETWEEN 1 AND 1000000)`.execute(db);
  await sql`CREATE INDEX runs_retention_idx ON runs (version_id, completed_at) WHERE completed_at IS NOT NULL AND parent_run_id IS NULL`.execute(db);
  await sql`CREATE INDEX runs_tenant_started_idx ON runs (tenant_id, started_at) WHERE started_at IS NOT NULL`.execute(db);
  await sql`CREATE INDEX run_steps_tenant_completed_idx ON run_steps (tenant_id, completed_at) INCLUDE (type, status, duration_ms) WHERE completed_at IS NOT NULL`.execute(db);
  await sql`CREATE INDEX run_waits_open_kind_idx ON run_waits (tenant_id, kind) WHERE status = 'open'`.execute(db);
  await sql`CREATE TABLE metric_counters (
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name text NOT NULL,
    labels jsonb NOT NULL,
    value double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, name, labels))`.execute(db);
  await sql`CREATE TABLE metric_rollup (
    id integer PRIMARY KEY CHECK (id = 1),
    watermark timestamptz NOT NULL,
    rolled_at timestamptz NOT NULL DEFAULT now())`.execute(db);
  await sql`INSERT INTO metric_rollup (id, watermark) VALUES (1, now())`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE metric_rollup`.execute(db);
  await sql`DROP TABLE metric_counters`.execute(db);
  await sql`DROP INDEX run_waits_open_kind_idx`.execute(db);
  await sql`DROP INDEX run_steps_tenant_completed_idx`.execute(db);
  await sql`DROP INDEX runs_tenant_started_idx`.execute(db);
  await sql`DROP INDEX runs_retention_idx`.execute(db);
  await sql`ALTER TABLE tenants DROP COLUMN retention_days, DROP COLUMN max_concurrent_runs, DROP COLUMN runs_per_minute`.execute(db);
}
