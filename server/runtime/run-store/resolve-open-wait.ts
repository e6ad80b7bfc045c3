import 'server-only';
import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import { wakeRun } from '@/server/runtime/run-store/wake-run';
import { notifyRunChanged } from '@/server/runtime/run-store/append-run-event';
import { lockRunOfWait } from '@/server/runtime/run-store/lock-run-row';

/**
 * Resolves a wait with a payload only if it is still open, and wakes its run. The
 * conditional UPDATE is the one place the race is decided: of two deliveries, answers or
 * admin resumes landing together, exactly one gets the row back and wakes the run; the
 * other gets `false` and must not.
 */
export async function resolveOpenWait(
  tx: Tx,
  { waitId, payload, reason }: { waitId: string; payload: unknown; reason: string },
): Promise<{ runId: string } | null> {
  // The run row before the wait, in the runtime's one lock order (lockRunRow).
  if (!(await lockRunOfWait(tx, waitId))) return null;
  const resolved = await tx
    .updateTable('run_waits')
    .set({ status: 'resolved', payload: JSON.stringify(payload ?? null), resolved_at: sql`now()` })
    .where('id', '=', waitId)
    .where('status', '=', 'open')
    .returning('run_id')
    .executeTakeFirst();
  if (!resolved) return null;
  await wakeRun({ db: tx, runId: resolved.run_id, reason });
  // wakeRun appends `run.resumed` without a NOTIFY; live viewers should see it now.
  await notifyRunChanged(tx, resolved.run_id);
  return { runId: resolved.run_id };
}
