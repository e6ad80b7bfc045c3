import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Whether a version's document sets `settings.maxConcurrentRuns` or `settings.runsPerMinute`
 * (a positive number), kept beside the document. Every finishing run's commit looks for a run
 * of its workflow that may be waiting for the slot it frees, and asked this of each candidate by
 * reading the `json` document, which PostgreSQL parses whole on every `#>`: 0.07 ms per
 * candidate for a 10-step workflow, a quarter of a 1-step run's final commit with 16 runs in
 * hand, and more the larger the workflow.
 *
 * A document may hold `\u0000` in a string (a step's config), which the `json` type stores but
 * will not extract text from ("unsupported Unicode escape sequence"): the settings are then read
 * from the document with those escapes taken out, so such a version can still be saved and its
 * limits are still seen. A CASE, not AND: the cast runs only on a number.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION version_has_run_limits(document json) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE
      settings json;
    BEGIN
      BEGIN
        settings := document -> 'settings';
      EXCEPTION WHEN untranslatable_character OR invalid_text_representation THEN
        BEGIN
          settings := replace(document::text, '\\u0000', '')::json -> 'settings';
        EXCEPTION WHEN others THEN
          RETURN false;
        END;
      END;
      RETURN coalesce(
        CASE WHEN json_typeof(settings -> 'maxConcurrentRuns') = 'number'
             THEN (settings ->> 'maxConcurrentRuns')::float8 > 0 ELSE false END
        OR CASE WHEN json_typeof(settings -> 'runsPerMinute') = 'number'
                THEN (settings ->> 'runsPerMinute')::float8 > 0 ELSE false END,
        false);
    END $$`.execute(db);
  await sql`
    ALTER TABLE workflow_versions ADD COLUMN has_run_limits boolean NOT NULL
      GENERATED ALWAYS AS (version_has_run_limits(document)) STORED`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workflow_versions').dropColumn('has_run_limits').execute();
  await sql`DROP FUNCTION version_has_run_limits(json)`.execute(db);
}
