import 'server-only';
import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import { RUN_STATUSES, isTerminal, type TRunStatus } from '@/model/run-status';

const TERMINAL = RUN_STATUSES.filter(isTerminal);

export type TDeletedTree = { rootId: string; tenantId: string; runs: number };

/**
 * Deletes runs with everything they own and their child runs, at any depth: waits and tasks by
 * cascade; step records, events, snapshots, forEach results and ledger entries under the runs'
 * default idempotency keys by the `runs_delete_history` trigger, in the same statement (those
 * tables have no foreign keys, see ARCHITECTURE.md "History rows without foreign keys").
 * A tree in which any run is not terminal is left whole and not returned: the runs are locked
 * first, so a retry or rerun racing the delete either commits first (and the tree stays) or
 * waits for it. Call inside a transaction.
 *
 * Ledger rows under an explicit `idempotencyKey` are kept: such a key may be shared on
 * purpose by other runs, which must keep getting the stored output.
 */
export async function deleteRunTrees(tx: Tx, rootIds: readonly string[]): Promise<TDeletedTree[]> {
  if (rootIds.length === 0) return [];
  const tree = await sql<{ id: string; root: string; depth: number }>`
    WITH RECURSIVE tree AS (
      SELECT id, id AS root, 0 AS depth FROM runs WHERE id = ANY(${rootIds}::uuid[])
      UNION ALL
      SELECT c.id, t.root, t.depth + 1 FROM runs c JOIN tree t ON c.parent_run_id = t.id WHERE t.depth < 64
    )
    SELECT id, root, depth FROM tree`.execute(tx);
  // Lock every run of the trees (ids in a fixed order, so two deleters never deadlock) and read
  // their status under the lock: what is decided below cannot change before the commit.
  const ids = [...new Set(tree.rows.map((row) => row.id))].sort();
  const locked = await sql<{ id: string; status: TRunStatus; tenant_id: string }>`
    SELECT id, status, tenant_id FROM runs WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`.execute(tx);
  const byId = new Map(locked.rows.map((row) => [row.id, row]));
  const roots = new Map<string, { ids: string[]; depth: Map<string, number>; ok: boolean }>();
  for (const row of tree.rows) {
    const entry = roots.get(row.root) ?? { ids: [] as string[], depth: new Map<string, number>(), ok: true };
    const run = byId.get(row.id);
    // A run gone meanwhile is simply not deleted again; one not terminal keeps its whole tree.
    if (run) {
      entry.ids.push(row.id);
      entry.depth.set(row.id, row.depth);
      if (!isTerminal(run.status)) entry.ok = false;
    }
    roots.set(row.root, entry);
  }
  const deleting = [...roots.entries()].filter(([rootId, entry]) => entry.ok && byId.has(rootId));
  if (deleting.length === 0) return [];
  const levels = new Map<number, string[]>();
  for (const [, entry] of deleting)
    for (const id of entry.ids) levels.set(entry.depth.get(id)!, [...(levels.get(entry.depth.get(id)!) ?? []), id]);
  // Deepest first: a child's parent_run_id is SET NULL when its parent goes, which would touch
  // a row this same statement deletes.
  for (const depth of [...levels.keys()].sort((a, b) => b - a)) {
    await sql`DELETE FROM runs WHERE id = ANY(${levels.get(depth)!}::uuid[]) AND status IN (${sql.join(TERMINAL)})`.execute(
      tx,
    );
  }
  return deleting.map(([rootId, entry]) => ({ rootId, tenantId: byId.get(rootId)!.tenant_id, runs: entry.ids.length }));
}
