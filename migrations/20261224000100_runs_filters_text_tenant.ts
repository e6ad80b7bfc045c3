import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * A text search asks runs_filters_text_idx first (issue #16's probe), but the index held no
 * tenant: the bitmap it gave had every tenant's matches, and the tenant was checked row by row
 * in the table, so a word common in another tenant cost this one a heap read per match of
 * theirs. With tenant_id as the index's first column (btree_gin), the tenant is intersected
 * inside the index like the other filters. Without btree_gin (migration 20261216000100 kept
 * the trigram-only index) nothing changes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      IF to_regclass('runs_filters_text_idx') IS NOT NULL THEN
        CREATE INDEX runs_tenant_filters_text_idx ON runs
          USING gin (tenant_id, workflow_key, status, state, (input::text) gin_trgm_ops);
        DROP INDEX runs_filters_text_idx;
      END IF;
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      IF to_regclass('runs_tenant_filters_text_idx') IS NOT NULL THEN
        CREATE INDEX runs_filters_text_idx ON runs
          USING gin (workflow_key, status, state, (input::text) gin_trgm_ops);
        DROP INDEX runs_tenant_filters_text_idx;
      END IF;
    END $$`.execute(db);
}
