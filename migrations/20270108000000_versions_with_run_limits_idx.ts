import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * The versions whose settings hold runs (`has_run_limits`), by workflow: every finishing run's
 * commit asks whether its workflow has one before it looks for runs being admitted under limits
 * (oldestHeldRun). One probe of an index that is empty while nobody sets limits, instead of a
 * heap read of each version the workflow ever published. Versions are written at save and
 * publish, so the index costs nothing a run pays for.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX workflow_versions_run_limits_idx ON workflow_versions (workflow_id) WHERE has_run_limits`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX workflow_versions_run_limits_idx`.execute(db);
}
