import 'server-only';
import { sql, type RawBuilder } from 'kysely';
import {
  FETCHED_JOB_GRACE_SECONDS,
  fetchedByLiveWorker,
  hasLiveAdvanceJob,
} from '@/server/runtime/queue/advance-job-index';

/**
 * The reaper's look for runs whose only job was fetched by a worker that died before it
 * claimed the run (SIGKILLed, frozen, its connection cut between pg-boss's fetch and the
 * claim): QUEUED or RUNNING, no lease, and an active advance job older than
 * FETCHED_JOB_GRACE_SECONDS that no live worker names as held (`workers.fetched_jobs`), with no
 * other job coming. pg-boss leaves such a job active for the queue's 15-minute expiry, and
 * hasLiveAdvanceJob counted it for 30 s, so only the 2-minute look for lost jobs reached the
 * run (SPEC §7.1: held by a live worker, waiting on something not yet due, or a job coming).
 * A job a live worker holds waiting for a free slot is named by it, however long it waits, so
 * a backlog is not sent second jobs. Driven from the fetched jobs (ADVANCE_JOB_ACTIVE_INDEX, a
 * few dozen rows), not from the runs: a backlog's QUEUED runs are never read. A held QUEUED run
 * (fence > 0) is the held-run look's, with its own 2 s.
 */
export function staleFetchedJobRuns({ jobTable, queue }: { jobTable: string; queue: string }): RawBuilder<unknown> {
  // The run's other jobs are looked up per candidate (a subplan of the lateral's select list,
  // which the planner cannot turn into an anti-join): as a WHERE clause it was planned as a
  // hash anti-join over the whole queue, read every 2 s behind a backlog.
  const live = hasLiveAdvanceJob({ jobTable, queue, runAlias: 'r', takenWithinSeconds: FETCHED_JOB_GRACE_SECONDS });
  return sql`SELECT r.id FROM ${sql.raw(jobTable)} fj JOIN runs r ON r.id = (fj.data->>'runId')::uuid
       CROSS JOIN LATERAL (SELECT ${live} AS coming OFFSET 0) other
     WHERE fj.name = ${sql.lit(queue)} AND fj.state = 'active'
       AND fj.started_on < now() - ${sql.lit(`${FETCHED_JOB_GRACE_SECONDS} seconds`)}::interval
       AND NOT ${fetchedByLiveWorker('fj')}
       AND r.status IN ('QUEUED', 'RUNNING') AND r.lease_owner IS NULL
       AND NOT other.coming`;
}
