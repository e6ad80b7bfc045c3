import 'server-only';
import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import { isStepPath } from '@/server/runtime/execution/migrate-execution';

/**
 * Every stored column that names a step of a run by its path, with the column naming the run.
 * Not the ledger (`action_invocations`) or the Outbox (`email_messages`): their rows say where
 * an effect happened at the time, and the idempotency key an effect was sent under keeps the
 * old path in any case (which is why planMigration refuses to move a retrying action).
 */
const PATH_COLUMNS = [
  { table: 'run_steps', column: 'path', run: 'run_id' },
  { table: 'run_snapshots', column: 'path', run: 'run_id' },
  { table: 'run_waits', column: 'step_path', run: 'run_id' },
  { table: 'tasks', column: 'step_path', run: 'run_id' },
  { table: 'run_block_results', column: 'block_path', run: 'run_id' },
  // A child run names the step of its parent that waits for it.
  { table: 'runs', column: 'parent_step_path', run: 'parent_run_id' },
] as const;

/** Marks a path in flight, so that no row's new path meets another row's old one under a unique index. */
const IN_FLIGHT = '\u0001';

/**
 * Renames the step paths of one run in every table that stores them, and in its events'
 * `data.path`, through `translate` (SPEC §9 migrate). A path the new version has no step for is
 * kept under `v<from>:`, out of the way of the new version's paths: its history stays on the
 * run page and can never collide with (or be read as) a step that runs later. Names that are not
 * step paths (`$run.timeout`) stay. Call it with the run locked (lockRun).
 *
 * Each table is renamed in two statements, through a marked name: `steps[1]`→`steps[2]` and
 * `steps[2]`→`steps[3]` in one UPDATE would meet in the unique indexes of run_steps and run_waits.
 */
export async function rewriteRunPaths(
  tx: Tx,
  { runId, fromVersion, translate }: { runId: string; fromVersion: number; translate: (path: string) => string | null },
): Promise<void> {
  const stored = await sql<{ path: string }>`
    ${sql.join(
      PATH_COLUMNS.map(
        ({ table, column, run }) =>
          sql`SELECT DISTINCT ${sql.ref(column)} AS path FROM ${sql.table(table)} WHERE ${sql.ref(run)} = ${runId} AND ${sql.ref(column)} IS NOT NULL`,
      ),
      sql` UNION `,
    )}
    UNION SELECT DISTINCT data->>'path' FROM run_events WHERE run_id = ${runId} AND data ? 'path'`.execute(tx);
  const from: string[] = [];
  const to: string[] = [];
  for (const { path } of stored.rows) {
    if (!isStepPath(path)) continue;
    const moved = translate(path) ?? `v${fromVersion}:${path}`;
    if (moved === path) continue;
    from.push(path);
    to.push(moved);
  }
  if (from.length === 0) return;
  const pairs = sql`unnest(${from}::text[], ${to}::text[]) AS m(old, new)`;
  for (const { table, column, run } of PATH_COLUMNS) {
    await sql`
      UPDATE ${sql.table(table)} t SET ${sql.ref(column)} = ${IN_FLIGHT} || m.new FROM ${pairs}
      WHERE t.${sql.ref(run)} = ${runId} AND t.${sql.ref(column)} = m.old`.execute(tx);
    await sql`
      UPDATE ${sql.table(table)} SET ${sql.ref(column)} = substr(${sql.ref(column)}, 2)
      WHERE ${sql.ref(run)} = ${runId} AND starts_with(${sql.ref(column)}, ${IN_FLIGHT})`.execute(tx);
  }
  await sql`
    UPDATE run_event_rows e SET data = jsonb_set(e.data, '{path}', to_jsonb(m.new)) FROM ${pairs}
    WHERE e.run_id = ${runId} AND e.data->>'path' = m.old`.execute(tx);
  // A commit's batch (run_event_rows.events) is written again whole, its events in their order.
  await sql`
    UPDATE run_event_rows b SET events = (
      SELECT jsonb_agg(CASE WHEN m.new IS NULL THEN x.v ELSE jsonb_set(x.v, '{data,path}', to_jsonb(m.new)) END ORDER BY x.i)
        FROM jsonb_array_elements(b.events) WITH ORDINALITY AS x(v, i) LEFT JOIN ${pairs} ON m.old = x.v->'data'->>'path')
    WHERE b.run_id = ${runId} AND b.events IS NOT NULL
      AND EXISTS (SELECT 1 FROM jsonb_array_elements(b.events) AS x(v) JOIN ${pairs} ON m.old = x.v->'data'->>'path')`.execute(
    tx,
  );
}
