import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * A run's events as the run store writes them: one row per commit instead of one per event
 * (issue #16). A 10-step pure run's final commit wrote 22 event rows and 22 entries of their key,
 * the largest row count of a run; it now writes one row holding the batch.
 *
 * The table is renamed `run_event_rows` and gains `events`, a jsonb array of
 * `{ type, stepId?, at, data }`, the row's `seq` being the first event's (the next ones follow
 * without gaps, as every seq of a run does). A row without `events` is one event in the columns
 * it always had: every row stored before this migration, and the single events written outside a
 * commit (a run's queueing, an admission, a wake-up, an operator's action). Nothing stored is
 * rewritten. `run_events` becomes a view with the log as it always read, one row per event, so
 * a reader that selects from it sees what it saw; a page of the log (the events API, its stream,
 * export, the run page) reads the rows themselves by the key: the row holding `after + 1` is the
 * last one whose first seq is at most `after`.
 *
 * The history trigger of 20261229000000 named the table, so it is written again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE run_events RENAME TO run_event_rows`.execute(db);
  await sql`
    ALTER TABLE run_event_rows
      ADD COLUMN events jsonb,
      ALTER COLUMN type DROP NOT NULL,
      ALTER COLUMN at DROP NOT NULL,
      ALTER COLUMN data DROP NOT NULL`.execute(db);
  // NOT VALID: every row already stored is one event with its columns set (they were NOT NULL),
  // and validating would read every one of them.
  await sql`
    ALTER TABLE run_event_rows ADD CONSTRAINT run_event_rows_one_shape CHECK (CASE
      WHEN events IS NULL THEN type IS NOT NULL AND at IS NOT NULL AND data IS NOT NULL
      ELSE type IS NULL AND step_id IS NULL AND at IS NULL AND data IS NULL AND jsonb_typeof(events) = 'array'
    END) NOT VALID`.execute(db);
  await sql`
    CREATE VIEW run_events AS
      SELECT run_id, seq, tenant_id, type, step_id, at, data
        FROM run_event_rows WHERE events IS NULL
      UNION ALL
      SELECT b.run_id, b.seq + e.i::int - 1, b.tenant_id, e.v->>'type', e.v->>'stepId', (e.v->>'at')::timestamptz,
             coalesce(e.v->'data', '{}'::jsonb)
        FROM run_event_rows b CROSS JOIN LATERAL jsonb_array_elements(b.events) WITH ORDINALITY AS e(v, i)
       WHERE b.events IS NOT NULL`.execute(db);
  // A worker or web process of the previous release, still running while a deploy migrates,
  // writes its events into `run_events` one row each: they land as single-event rows, so its
  // commits go through instead of failing as a crash would.
  await sql`
    CREATE FUNCTION run_events_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO run_event_rows (run_id, seq, tenant_id, type, step_id, at, data)
      VALUES (NEW.run_id, NEW.seq, NEW.tenant_id, NEW.type, NEW.step_id, NEW.at, NEW.data);
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER run_events_insert INSTEAD OF INSERT ON run_events
      FOR EACH ROW EXECUTE FUNCTION run_events_insert()`.execute(db);
  await historyTrigger(db, 'run_events', 'run_event_rows');
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP VIEW run_events`.execute(db);
  await sql`DROP FUNCTION run_events_insert()`.execute(db);
  // Each batch back to a row per event: the first in its own row, the rest inserted after it.
  await sql`
    INSERT INTO run_event_rows (run_id, seq, tenant_id, type, step_id, at, data)
    SELECT b.run_id, b.seq + e.i::int - 1, b.tenant_id, e.v->>'type', e.v->>'stepId', (e.v->>'at')::timestamptz,
           coalesce(e.v->'data', '{}'::jsonb)
      FROM run_event_rows b CROSS JOIN LATERAL jsonb_array_elements(b.events) WITH ORDINALITY AS e(v, i)
     WHERE b.events IS NOT NULL AND e.i > 1`.execute(db);
  await sql`
    UPDATE run_event_rows SET type = events->0->>'type', step_id = events->0->>'stepId',
      at = (events->0->>'at')::timestamptz, data = coalesce(events->0->'data', '{}'::jsonb), events = NULL
     WHERE events IS NOT NULL`.execute(db);
  await sql`
    ALTER TABLE run_event_rows
      DROP CONSTRAINT run_event_rows_one_shape,
      DROP COLUMN events,
      ALTER COLUMN type SET NOT NULL,
      ALTER COLUMN at SET NOT NULL,
      ALTER COLUMN data SET NOT NULL`.execute(db);
  await sql`ALTER TABLE run_event_rows RENAME TO run_events`.execute(db);
  await historyTrigger(db, 'run_event_rows', 'run_events');
}

/**
 * The history trigger function of 20261229000000 (runs_delete_history) names the events' table:
 * its definition is written again with `from` replaced by `to`, the rest of it as it is.
 */
async function historyTrigger(db: Kysely<any>, from: string, to: string): Promise<void> {
  const defined = await sql<{ text: string }>`
    SELECT pg_get_functiondef('runs_delete_history()'::regprocedure) AS text`.execute(db);
  const text = defined.rows[0]!.text;
  const statement = `DELETE FROM ${from} WHERE`;
  if (!text.includes(statement)) throw new Error(`runs_delete_history() has no "${statement}"`);
  await sql.raw(text.replace(statement, `DELETE FROM ${to} WHERE`)).execute(db);
}
