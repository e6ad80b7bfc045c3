import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { ADVANCE_QUEUE, advanceJobCtes, advanceJobTable } from '@/server/runtime/queue/run-queue';
import { hasLiveAdvanceJob } from '@/server/runtime/queue/advance-job-index';
import { runnable } from '@/server/runtime/run-store/runnable';
import { heldRunsToSend } from '@/server/runtime/run-store/held-runs-to-send';
import { staleFetchedJobRuns } from '@/server/runtime/run-store/stale-fetched-job-runs';
import { RUN_TIMEOUT_PATH } from '@/server/runtime/run-store/end-run-effects';

export const REAP_INTERVAL_MS = 2_000;
/** Runs sent a job per pass at most. */
const REAP_LIMIT = 500;

/**
 * Finds runs a worker should be advancing but none is, and sends each a job. The backstop of
 * SPEC §7.1's progress rule: every non-terminal run is held by a live worker, or waits on
 * something not yet due, or has a job coming. Six index-served looks (they used to be one OR
 * over every run, every 2 s):
 * - a lease that expired on a runnable run (its worker died);
 * - a QUEUED or RUNNING run nobody holds whose only job was fetched by a worker that died
 *   before claiming it (staleFetchedJobRuns: older than 5 s, named by no live worker);
 * - a QUEUED or RUNNING run nobody has touched for 2 minutes and no job will reach
 *   (hasLiveAdvanceJob, by our index on pg-boss's table): a lost job. Behind a backlog every
 *   queued run is untouched for minutes with its first job simply not reached yet; this look
 *   used to send each a second job (500 every 2 s, ahead of the backlog's own), which then
 *   found the run ended. Held QUEUED runs are normally sent again when a slot frees;
 * - a WAITING run whose wait came due over 2 s ago with nobody on it (its timer job was lost,
 *   e.g. taken by a worker whose connections were cut before it claimed the run), unless it
 *   was written or sent a job in the last 3 s (10 s let such a run sit 10 s past due); also a
 *   QUEUED, RUNNING or PAUSED run nobody holds whose `settings.timeoutMs` wait is due: a run
 *   retried under limits is QUEUED with its new deadline, and held there the deadline used to
 *   pass unnoticed (its timer job only met admission, which held it again); a paused run's
 *   deadline still applies, and used to be acted on only when the run was resumed;
 * - a cancel asked of a WAITING or PAUSED run that nobody carried out;
 * - runs held QUEUED by their limits beside free slots, as many per workflow as it has free
 *   slots, each without a job coming (heldRunsToSend). A finish hands the freed slot on with a
 *   job, and an admission with slots left sends the next held run one, but such a job can
 *   die with the worker that took it before it decided anything (pg-boss does not retry
 *   these jobs).
 *
 * One worker at a time does this (advisory lock), in one statement that neither waits nor
 * holds the lock long: runs whose row another transaction holds are skipped (SKIP LOCKED; a
 * writer is on them, or the next pass takes them), and the jobs are CTEs of the statement that
 * picks the runs. The look used to touch the runs it sent with an UPDATE that waited for such
 * a row lock (a worker frozen mid-transaction) and to send its jobs one round trip each: in a
 * chaos run on a loaded machine one pass held the lock for 28.7 s, and no expired lease was
 * re-sent meanwhile. A run sent is touched, so one whose job is merely slow is not sent again
 * on every pass; the claim makes any duplicate job harmless.
 */
export async function reapStalledRuns({ db }: { db: Db }): Promise<number> {
  const jobTable = await advanceJobTable();
  const sendJobs = await advanceJobCtes();
  return db.transaction().execute(async (tx) => {
    const lock = await sql<{
      locked: boolean;
    }>`SELECT pg_try_advisory_xact_lock(hashtext('pipewright.reaper')) AS locked`.execute(tx);
    if (!lock.rows[0]?.locked) return 0;
    const jobsFor = `SELECT coalesce(json_agg(json_build_object('data', json_build_object('runId', id))), '[]'::json) FROM reaped`;
    const sent = await sql<{ reaped: number }>`
      WITH stalled AS (
        SELECT s.id FROM runs s
         WHERE s.id IN (
           SELECT r.id FROM runs r
            WHERE r.lease_owner IS NOT NULL AND r.lease_expires_at < now() AND ${runnable('r')}
           UNION ALL
           SELECT r.id FROM runs r
            WHERE r.lease_owner IS NULL AND r.status IN ('QUEUED', 'RUNNING') AND r.updated_at < now() - interval '2 minutes'
              AND NOT ${hasLiveAdvanceJob({ jobTable, queue: ADVANCE_QUEUE, runAlias: 'r' })}
           UNION ALL
           SELECT r.id FROM run_waits w JOIN runs r ON r.id = w.run_id
            WHERE w.status = 'open' AND w.resume_at < now() - interval '2 seconds'
              AND (r.status = 'WAITING' OR (w.step_path = ${RUN_TIMEOUT_PATH} AND r.status IN ('QUEUED', 'RUNNING', 'PAUSED')))
              AND r.lease_owner IS NULL AND r.updated_at < now() - interval '3 seconds'
           UNION ALL
           SELECT r.id FROM runs r
            WHERE r.cancel_requested AND r.lease_owner IS NULL AND r.status IN ('WAITING', 'PAUSED') AND r.updated_at < now() - interval '10 seconds'
           UNION ALL
           ${staleFetchedJobRuns({ jobTable, queue: ADVANCE_QUEUE })}
           UNION ALL
           ${heldRunsToSend({ jobTable, queue: ADVANCE_QUEUE })})
         LIMIT ${REAP_LIMIT}
         FOR UPDATE OF s SKIP LOCKED),
      reaped AS (UPDATE runs t SET updated_at = now() FROM stalled WHERE t.id = stalled.id RETURNING t.id),
      ${sql.raw(sendJobs(jobsFor))}
      SELECT (SELECT count(*) FROM reaped)::int AS reaped, (SELECT count(*) FROM advance_notified)::int AS notified`.execute(
      tx,
    );
    return sent.rows[0]?.reaped ?? 0;
  });
}
