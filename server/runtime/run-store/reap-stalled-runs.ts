import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';
import { runnable } from '@/server/runtime/run-store/runnable';

export const REAP_INTERVAL_MS = 2_000;

/**
 * Finds runs a worker should be advancing but none is, and sends each a job. The backstop of
 * SPEC §7.1's progress rule: every non-terminal run is held by a live worker, or waits on
 * something not yet due, or has a job coming. Five index-served looks (they used to be one OR
 * over every run, every 2 s):
 * - a lease that expired on a runnable run (its worker died);
 * - a QUEUED or RUNNING run nobody has touched for 2 minutes (a lost job; held QUEUED runs
 *   are normally sent again when a slot frees, see admitNextQueued);
 * - a WAITING run whose wait came due over 2 s ago with nobody on it (its timer job was lost,
 *   e.g. taken by a worker whose connections were cut before it claimed the run), unless it
 *   was written or sent a job in the last 3 s (10 s let such a run sit 10 s past due);
 * - a cancel asked of a WAITING or PAUSED run that nobody carried out;
 * - per workflow, the oldest run held QUEUED by its limits, every 5 s at most: its admission is
 *   decided again. A finish hands the freed slot on with a job sent in its own transaction, but
 *   that job can still die with the worker that took it before it decided anything (pg-boss
 *   does not retry these jobs), which left every held run waiting for the next finish, or for
 *   the 2-minute look above. One run a workflow: an admission that succeeds sends the next
 *   held run a job itself.
 * One worker at a time does this (advisory lock); the claim makes any duplicate job harmless.
 * A run sent is touched, so one whose job is merely slow is not sent again on every pass.
 */
export async function reapStalledRuns({ db }: { db: Db }): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const lock = await sql<{
      locked: boolean;
    }>`SELECT pg_try_advisory_xact_lock(hashtext('pipewright.reaper')) AS locked`.execute(tx);
    if (!lock.rows[0]?.locked) return 0;
    const stalled = await sql<{ id: string }>`
      SELECT r.id FROM runs r
       WHERE r.lease_owner IS NOT NULL AND r.lease_expires_at < now() AND ${runnable('r')}
      UNION
      SELECT r.id FROM runs r
       WHERE r.lease_owner IS NULL AND r.status IN ('QUEUED', 'RUNNING') AND r.updated_at < now() - interval '2 minutes'
      UNION
      SELECT r.id FROM run_waits w JOIN runs r ON r.id = w.run_id
       WHERE w.status = 'open' AND w.resume_at < now() - interval '2 seconds'
         AND r.status = 'WAITING' AND r.lease_owner IS NULL AND r.updated_at < now() - interval '3 seconds'
      UNION
      SELECT r.id FROM runs r
       WHERE r.cancel_requested AND r.lease_owner IS NULL AND r.status IN ('WAITING', 'PAUSED') AND r.updated_at < now() - interval '10 seconds'
      UNION
      (SELECT DISTINCT ON (h.workflow_id) h.id FROM runs h
        WHERE h.status = 'QUEUED' AND h.fence > 0 AND h.lease_owner IS NULL AND h.updated_at < now() - interval '5 seconds'
        ORDER BY h.workflow_id, h.created_at)
      LIMIT 500`.execute(tx);
    for (const run of stalled.rows) await enqueueAdvance({ db: tx, runId: run.id });
    if (stalled.rows.length)
      await tx
        .updateTable('runs')
        .set({ updated_at: sql`now()` })
        .where(
          'id',
          'in',
          stalled.rows.map((run) => run.id),
        )
        .execute();
    return stalled.rows.length;
  });
}
