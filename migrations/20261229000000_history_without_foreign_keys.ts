import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * A run's history rows (step records, events, snapshots, forEach results) and the ledger lose
 * their foreign keys. Each inserted row paid a `SELECT … FOR KEY SHARE` of its parent (1.6 ms of
 * a 10-step run's final commit, ~57 rows), although every one is written by the run store in
 * the run's fenced commit, whose `UPDATE runs … WHERE fence` holds the run's row lock: the
 * parent exists and cannot go while the child is written.
 *
 * The cascades those keys gave are kept as statement triggers, paid when runs (or tenants) are
 * deleted instead of when history is written: whatever deletes runs (a run's deletion and
 * retention through deleteRunTrees, a workflow's or a tenant's deletion by cascade, SQL by hand)
 * deletes their history in the same statement, and the ledger rows under their default keys,
 * which had no key to cascade from and outlived a deleted workflow's runs before.
 */

const DROPPED = [
  { table: 'run_steps', name: 'run_steps_run_id_fkey', column: 'run_id', parent: 'runs' },
  { table: 'run_events', name: 'run_events_run_id_fkey', column: 'run_id', parent: 'runs' },
  { table: 'run_snapshots', name: 'run_snapshots_run_id_fkey', column: 'run_id', parent: 'runs' },
  { table: 'run_snapshots', name: 'run_snapshots_step_record_id_fkey', column: 'step_record_id', parent: 'run_steps' },
  { table: 'run_block_results', name: 'run_block_results_run_id_fkey', column: 'run_id', parent: 'runs' },
  { table: 'action_invocations', name: 'action_invocations_tenant_id_fkey', column: 'tenant_id', parent: 'tenants' },
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  // ARRAY(…) rather than IN (…): the transition table has no statistics, and an array makes
  // each delete an index scan on run_id whatever the planner guesses about its size.
  await sql`
    CREATE FUNCTION runs_delete_history() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      gone uuid[] := ARRAY(SELECT id FROM gone_runs);
      run record;
    BEGIN
      DELETE FROM run_snapshots WHERE run_id = ANY (gone);
      DELETE FROM run_steps WHERE run_id = ANY (gone);
      DELETE FROM run_events WHERE run_id = ANY (gone);
      DELETE FROM run_block_results WHERE run_id = ANY (gone);
      -- Ledger rows under a run's default keys (<runId>:<stepPath>), one range of the key index
      -- per run (joined to the transition table, the planner chose a scan of the whole ledger);
      -- those under an explicit idempotency key may be shared on purpose and stay.
      FOR run IN SELECT id::text AS id, tenant_id FROM gone_runs LOOP
        DELETE FROM action_invocations
         WHERE tenant_id = run.tenant_id AND idempotency_key ~>=~ (run.id || ':') AND idempotency_key ~<~ (run.id || ';');
      END LOOP;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER runs_delete_history AFTER DELETE ON runs
      REFERENCING OLD TABLE AS gone_runs FOR EACH STATEMENT EXECUTE FUNCTION runs_delete_history()`.execute(db);
  await sql`
    CREATE FUNCTION tenants_delete_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM action_invocations WHERE tenant_id = ANY (ARRAY(SELECT id FROM gone_tenants));
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER tenants_delete_ledger AFTER DELETE ON tenants
      REFERENCING OLD TABLE AS gone_tenants FOR EACH STATEMENT EXECUTE FUNCTION tenants_delete_ledger()`.execute(db);
  for (const key of DROPPED) await db.schema.alterTable(key.table).dropConstraint(key.name).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // Rows whose parent is gone (written by hand: the triggers leave none) would refuse the keys.
  for (const key of DROPPED)
    await sql`DELETE FROM ${sql.table(key.table)} c WHERE NOT EXISTS (SELECT 1 FROM ${sql.table(key.parent)} p WHERE p.id = c.${sql.ref(key.column)})`.execute(
      db,
    );
  for (const key of DROPPED)
    await db.schema
      .alterTable(key.table)
      .addForeignKeyConstraint(key.name, [key.column], key.parent, ['id'])
      .onDelete('cascade')
      .execute();
  await sql`DROP TRIGGER tenants_delete_ledger ON tenants`.execute(db);
  await sql`DROP FUNCTION tenants_delete_ledger()`.execute(db);
  await sql`DROP TRIGGER runs_delete_history ON runs`.execute(db);
  await sql`DROP FUNCTION runs_delete_history()`.execute(db);
}
