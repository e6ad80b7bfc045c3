import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * A text search beside other filters (issue #16): the trigram index alone gives every run
 * whose input has the text, and the planner did not combine it with the filters' b-tree
 * indexes, so `state=approved&q=express` checked 30,000 candidates to find none (650 ms under
 * load). One GIN index over the filters' columns and the input's trigrams (btree_gin lets a
 * GIN index hold plain values) intersects them inside the index: the same search reads the
 * few runs that have them all (3 ms). It replaces the trigram-only index, which a text search
 * alone still finds in it. Without btree_gin (a contrib extension, trusted since PostgreSQL 13)
 * the trigram-only index stays.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      IF to_regclass('runs_input_trgm_idx') IS NOT NULL THEN
        CREATE EXTENSION IF NOT EXISTS btree_gin;
        CREATE INDEX runs_filters_text_idx ON runs
          USING gin (workflow_key, status, state, (input::text) gin_trgm_ops);
        DROP INDEX runs_input_trgm_idx;
      END IF;
    EXCEPTION WHEN feature_not_supported OR undefined_file OR insufficient_privilege THEN
      RAISE NOTICE 'btree_gin is not available: text search beside filters keeps the trigram index alone';
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      IF to_regclass('runs_filters_text_idx') IS NOT NULL THEN
        CREATE INDEX runs_input_trgm_idx ON runs USING gin ((input::text) gin_trgm_ops);
        DROP INDEX runs_filters_text_idx;
      END IF;
    END $$`.execute(db);
}
