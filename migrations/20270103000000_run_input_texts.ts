import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * A run's input text gets an index of its own, written once (issue #16). The runs list's text
 * search had the input's trigrams in a GIN index on `runs` (runs_tenant_filters_text_idx, or
 * runs_input_trgm_idx without btree_gin), so every non-HOT write of a run's row — its claim,
 * its commits, each status change, each lease renewal every 2 s — put every trigram of the input
 * into the index again: with a 2,000-byte input, 190–390 KB of WAL a one-step run to that index
 * alone, and most of the run's CPU in PostgreSQL.
 *
 * `run_input_texts` holds a run's tenant, workflow key and `lower(input::text)` (none of which
 * change over a run), written by a statement trigger when runs are inserted (whatever inserts them: a
 * start, a child run, a test run, a fixture, SQL by hand), kept in step by a row trigger if the
 * input is ever updated (nothing does today), and deleted with the run by a statement trigger,
 * as the run's history is (migration 20261229000000). The trigram index moves there, with the
 * tenant and the workflow key in it when btree_gin is available; a run's status and state change,
 * so they stay filters on `runs`. Without pg_trgm nothing is indexed and the search scans, as
 * before.
 *
 * The text is stored in lower case and searched with LIKE and a lowered pattern, which is what
 * ILIKE does in a UTF-8 database, without lowering every candidate again: a text that the status
 * or state (now outside the index) leave no run of is rechecked on each run that has it, and
 * ILIKE over 25,000 of them cost 200 ms where LIKE costs a fraction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE run_input_texts (
      run_id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      workflow_key text NOT NULL,
      input_text text NOT NULL
    )`.execute(db);
  await sql`
    CREATE FUNCTION runs_insert_input_text() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO run_input_texts (run_id, tenant_id, workflow_key, input_text)
      SELECT id, tenant_id, workflow_key, lower(input::text) FROM new_runs;
      RETURN NULL;
    END $$`.execute(db);
  // Created before the backfill: its lock on runs holds off other inserts until this commits.
  await sql`
    CREATE TRIGGER runs_insert_input_text AFTER INSERT ON runs
      REFERENCING NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION runs_insert_input_text()`.execute(db);
  await sql`
    CREATE FUNCTION runs_update_input_text() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE run_input_texts
         SET tenant_id = NEW.tenant_id, workflow_key = NEW.workflow_key, input_text = lower(NEW.input::text)
       WHERE run_id = NEW.id;
      RETURN NULL;
    END $$`.execute(db);
  // UPDATE OF and WHEN: a write that does not set these columns (every write the runtime makes)
  // queues nothing.
  await sql`
    CREATE TRIGGER runs_update_input_text AFTER UPDATE OF input, tenant_id, workflow_key ON runs
      FOR EACH ROW
      WHEN (OLD.input IS DISTINCT FROM NEW.input OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id
            OR OLD.workflow_key IS DISTINCT FROM NEW.workflow_key)
      EXECUTE FUNCTION runs_update_input_text()`.execute(db);
  await sql`
    CREATE FUNCTION runs_delete_input_text() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM run_input_texts WHERE run_id = ANY (ARRAY(SELECT id FROM gone_runs));
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER runs_delete_input_text AFTER DELETE ON runs
      REFERENCING OLD TABLE AS gone_runs FOR EACH STATEMENT EXECUTE FUNCTION runs_delete_input_text()`.execute(db);
  await sql`
    INSERT INTO run_input_texts (run_id, tenant_id, workflow_key, input_text)
    SELECT id, tenant_id, workflow_key, lower(input::text) FROM runs`.execute(db);
  await sql`
    DO $$
    BEGIN
      IF to_regclass('runs_tenant_filters_text_idx') IS NOT NULL THEN
        CREATE INDEX run_input_texts_text_idx ON run_input_texts
          USING gin (tenant_id, workflow_key, input_text gin_trgm_ops);
        DROP INDEX runs_tenant_filters_text_idx;
      ELSIF to_regclass('runs_input_trgm_idx') IS NOT NULL THEN
        CREATE INDEX run_input_texts_trgm_idx ON run_input_texts USING gin (input_text gin_trgm_ops);
        DROP INDEX runs_input_trgm_idx;
      END IF;
    END $$`.execute(db);
  await sql`ANALYZE run_input_texts`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      IF to_regclass('run_input_texts_text_idx') IS NOT NULL THEN
        CREATE INDEX runs_tenant_filters_text_idx ON runs
          USING gin (tenant_id, workflow_key, status, state, (input::text) gin_trgm_ops);
      ELSIF to_regclass('run_input_texts_trgm_idx') IS NOT NULL THEN
        CREATE INDEX runs_input_trgm_idx ON runs USING gin ((input::text) gin_trgm_ops);
      END IF;
    END $$`.execute(db);
  await sql`DROP TRIGGER runs_delete_input_text ON runs`.execute(db);
  await sql`DROP FUNCTION runs_delete_input_text()`.execute(db);
  await sql`DROP TRIGGER runs_update_input_text ON runs`.execute(db);
  await sql`DROP FUNCTION runs_update_input_text()`.execute(db);
  await sql`DROP TRIGGER runs_insert_input_text ON runs`.execute(db);
  await sql`DROP FUNCTION runs_insert_input_text()`.execute(db);
  await sql`DROP TABLE run_input_texts`.execute(db);
}
