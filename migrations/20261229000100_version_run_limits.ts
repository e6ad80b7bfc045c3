import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Whether a version's document sets `settings.maxConcurrentRuns` or `settings.runsPerMinute`
 * (a positive number), kept beside the document. Every finishing run's commit looks for a run
 * of its workflow that may be waiting for the slot it frees, and asked this of each candidate by
 * reading the `json` document, which PostgreSQL parses whole on every `#>`: 0.07 ms per
 * candidate for a 10-step workflow, a quarter of a 1-step run's final commit with 16 runs in
 * hand, and more the larger the workflow. A CASE, not AND: the cast runs only on a number.
 */
const positive = (key: string) =>
  `CASE WHEN json_typeof(document #> '{settings,${key}}') = 'number' THEN (document #>> '{settings,${key}}')::float8 > 0 ELSE false END`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `ALTER TABLE workflow_versions ADD COLUMN has_run_limits boolean NOT NULL
         GENERATED ALWAYS AS (${positive('maxConcurrentRuns')} OR ${positive('runsPerMinute')}) STORED`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workflow_versions').dropColumn('has_run_limits').execute();
}
