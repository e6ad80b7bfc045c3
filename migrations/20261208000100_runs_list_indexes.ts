import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Runs list at scale: every filter of the runs list (workflow, status, state) gets an index
 * that ends in the list's order (created_at desc, id desc), so a page with any filter is an
 * index range scan that stops after the page, whatever the table's size; the pair most often
 * combined (workflow and status) gets one of its own. Text search over the input gets a trigram
 * index when the server has pg_trgm (a contrib extension, trusted since PostgreSQL 13); without
 * it the search still works, by scanning.
 *
 * The Overview counts a week of runs: by creation (the tenant's list index, now also carrying
 * workflow_key and status so the count is an index-only scan; it replaces
 * runs_tenant_created_idx, so runs get no extra index for it) and by completion (a partial
 * index over ended runs only, so a run pays for it once, when it ends). Statistics on the hour
 * of each tell the planner a week has few hours, so it hashes them rather than sorting every run.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX runs_tenant_created_cover_idx ON runs (tenant_id, created_at DESC, id DESC) INCLUDE (workflow_key, status)`.execute(db);
  await sql`DROP INDEX runs_tenant_created_idx`.execute(db);
  await sql`CREATE INDEX runs_tenant_completed_idx ON runs (tenant_id, completed_at) INCLUDE (workflow_key, status, started_at) WHERE completed_at IS NOT NULL`.execute(db);
  await sql`CREATE STATISTICS runs_created_hour_stat ON (date_trunc('hour', created_at AT TIME ZONE 'UTC')) FROM runs`.execute(db);
  await sql`CREATE STATISTICS runs_completed_hour_stat ON (date_trunc('hour', completed_at AT TIME ZONE 'UTC')) FROM runs`.execute(db);
  await sql`CREATE INDEX runs_tenant_workflow_created_idx ON runs (tenant_id, workflow_key, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX runs_tenant_status_created_idx ON runs (tenant_id, status, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX runs_tenant_workflow_status_created_idx ON runs (tenant_id, workflow_key, status, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX runs_tenant_state_created_idx ON runs (tenant_id, state, created_at DESC, id DESC) WHERE state IS NOT NULL`.execute(db);
  await sql`
    DO $$
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE INDEX runs_input_trgm_idx ON runs USING gin ((input::text) gin_trgm_ops);
    EXCEPTION WHEN feature_not_supported OR undefined_file OR insufficient_privilege THEN
      RAISE NOTICE 'pg_trgm is not available: run search scans instead of using an index';
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP STATISTICS runs_completed_hour_stat`.execute(db);
  await sql`DROP STATISTICS runs_created_hour_stat`.execute(db);
  await sql`DROP INDEX IF EXISTS runs_input_trgm_idx`.execute(db);
  await sql`DROP INDEX runs_tenant_state_created_idx`.execute(db);
  await sql`DROP INDEX runs_tenant_workflow_status_created_idx`.execute(db);
  await sql`DROP INDEX runs_tenant_status_created_idx`.execute(db);
  await sql`DROP INDEX runs_tenant_workflow_created_idx`.execute(db);
  await sql`DROP INDEX runs_tenant_completed_idx`.execute(db);
  await sql`CREATE INDEX runs_tenant_created_idx ON runs (tenant_id, created_at DESC, id DESC)`.execute(db);
  await sql`DROP INDEX runs_tenant_created_cover_idx`.execute(db);
}
