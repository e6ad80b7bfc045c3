import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Test runs (issue #18, "Run draft"): a real run of a draft, marked so lists can tell it apart.
 * A draft changes with every save, so a test run keeps the document it runs (`test_document`):
 * the worker interprets that snapshot, never the draft row it was started from. `mock_actions`
 * is the per-run choice that actions with outside effects answer null instead of happening;
 * it lives on the row so every worker that claims the run (after a restart too) honours it.
 * A normal run has none of these.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE runs
      ADD COLUMN is_test boolean NOT NULL DEFAULT false,
      ADD COLUMN mock_actions boolean NOT NULL DEFAULT false,
      ADD COLUMN test_document jsonb,
      ADD CONSTRAINT runs_test_fields_check CHECK (is_test OR (NOT mock_actions AND test_document IS NULL))`.execute(db);
  // Test runs are few; the list's "test runs only" filter reads them through this small index.
  await sql`CREATE INDEX runs_test_idx ON runs (tenant_id, created_at DESC, id DESC) WHERE is_test`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX runs_test_idx`.execute(db);
  await sql`
    ALTER TABLE runs
      DROP CONSTRAINT runs_test_fields_check,
      DROP COLUMN test_document,
      DROP COLUMN mock_actions,
      DROP COLUMN is_test`.execute(db);
}
