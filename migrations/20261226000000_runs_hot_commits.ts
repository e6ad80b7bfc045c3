import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Every commit of a run's pass updated `runs.updated_at`, which two partial indexes of the
 * reaper's looks have as their key; an update that changes any indexed column cannot be HOT, so
 * each durable step wrote a new entry into every one of the table's indexes (a dozen, one a GIN
 * over the input's trigrams). A commit made while the lease is held now writes `progressed_at`
 * (in no index) instead, and only a change of status or lease moves `updated_at`; with room left
 * on each page (fillfactor 70) the new row version stays on its page and no index is touched.
 * The fillfactor applies to pages written from now on.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE runs ADD COLUMN progressed_at timestamptz`.execute(db);
  await sql`ALTER TABLE runs SET (fillfactor = 70)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE runs RESET (fillfactor)`.execute(db);
  await sql`ALTER TABLE runs DROP COLUMN progressed_at`.execute(db);
}
