import { sql } from 'kysely';
import type { Db } from '@/server/db/database';

/**
 * `count` copies of the template run with the given columns, created `ageSeconds` ago and one
 * second apart (the last copy oldest); returns their ids. For plan tests that need a table
 * of runs in many states without running them.
 */
export async function cloneRuns(
  db: Db,
  template: string,
  count: number,
  columns: Record<string, unknown>,
  ageSeconds: number,
): Promise<string[]> {
  return db.transaction().execute(async (tx) => {
    // The copies' foreign keys are the template's: their per-row checks are skipped.
    await sql`SET LOCAL session_replication_role = replica`.execute(tx);
    const rows = await sql<{ id: string }>`
      INSERT INTO runs
      SELECT (jsonb_populate_record(null::runs, to_jsonb(r) || ${JSON.stringify(columns)}::jsonb
                || jsonb_build_object('id', gen_random_uuid(), 'created_at', now() - make_interval(secs => ${ageSeconds} + g)))).*
        FROM runs r, generate_series(1, ${count}) g
       WHERE r.id = ${template}
      RETURNING id`.execute(tx);
    return rows.rows.map((row) => row.id);
  });
}
