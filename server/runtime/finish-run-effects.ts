import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import { wakeRun } from '@/server/runtime/wake-run';

/** A finished run has nothing left to wait for: its open waits and tasks are closed. */
export async function closeOpenWork(tx: Tx, runId: string): Promise<void> {
  await tx.updateTable('run_waits').set({ status: 'canceled', resolved_at: sql`now()` }).where('run_id', '=', runId).where('status', '=', 'open').execute();
  await tx.updateTable('tasks').set({ status: 'canceled' }).where('run_id', '=', runId).where('status', '=', 'open').execute();
}

/** Hands a finished child run's result to the parent's waiting callWorkflow step and wakes the parent. */
export async function resolveParentWait(tx: Tx, childId: string, parentId: string, result: unknown): Promise<void> {
  const resolved = await tx
    .updateTable('run_waits')
    .set({ status: 'resolved', payload: JSON.stringify(result), resolved_at: sql`now()` })
    .where('child_run_id', '=', childId)
    .where('status', '=', 'open')
    .returning('run_id')
    .executeTakeFirst();
  if (resolved) await wakeRun({ db: tx, runId: parentId, reason: `child run ${childId} finished` });
}
