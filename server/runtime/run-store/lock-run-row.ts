import 'server-only';
import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';

/**
 * Locks a run's row for the rest of the transaction. The lock order of the whole runtime is
 * run row → its waits → its tasks, and a child's row before its parent's, never a parent's
 * before a child's (a parent that ends asks its children to cancel through jobs, not by
 * writing their rows). A worker's commit locks the run row with its first statement; every
 * other writer of waits and tasks (answers, deliveries, timeouts, admin resumes, cancels)
 * calls this first, so none of them can deadlock against a commit.
 */
export async function lockRunRow(tx: Tx, runId: string): Promise<void> {
  await sql`SELECT 1 FROM runs WHERE id = ${runId} FOR UPDATE`.execute(tx);
}

/** Locks the row of the run that owns wait `waitId`; returns that run's id (null: no such wait). */
export async function lockRunOfWait(tx: Tx, waitId: string): Promise<string | null> {
  const row = await sql<{
    id: string;
  }>`SELECT r.id FROM runs r WHERE r.id = (SELECT w.run_id FROM run_waits w WHERE w.id = ${waitId}) FOR UPDATE OF r`.execute(
    tx,
  );
  return row.rows[0]?.id ?? null;
}
