import 'server-only';
import { sql, type RawBuilder } from 'kysely';
import { AppError } from '@/model/errors';

/** The index of our own on pg-boss's job table: the live advance jobs of a run, by the run they name. */
export const ADVANCE_JOB_INDEX = 'pipewright_advance_job_run';
/**
 * The advance jobs a worker fetched and has not completed, by when: the reaper's look for jobs
 * fetched by a worker that died before claiming their run (staleFetchedJobRuns). A few dozen
 * rows at any time; one index entry per fetch, none for a direct take (created → completed).
 */
export const ADVANCE_JOB_ACTIVE_INDEX = 'pipewright_advance_job_active';
/**
 * A fetched (active) job counts as live this long after its fetch whoever holds it: the time a
 * worker takes to claim the run, or to name the job in its `workers.fetched_jobs` when it must
 * wait for a free slot (FetchedJobs publishes after 1 s).
 */
export const FETCHED_JOB_GRACE_SECONDS = 5;
/** A worker's `fetched_jobs` count while its heartbeat (every 5 s) is younger than this. */
export const FETCHED_JOBS_FRESH_SECONDS = 15;

/**
 * True when the job aliased `jobAlias` is named by a live worker as fetched and still held:
 * waiting in it for a free slot, or in a batch not yet done. A worker that died (SIGKILL, a
 * freeze past its heartbeat) stops naming it within FETCHED_JOBS_FRESH_SECONDS.
 */
export function fetchedByLiveWorker(jobAlias: string): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (
    SELECT 1 FROM workers fw
     WHERE fw.stopped_at IS NULL AND fw.heartbeat_at > now() - ${sql.lit(`${FETCHED_JOBS_FRESH_SECONDS} seconds`)}::interval
       AND ${sql.ref(`${jobAlias}.id`)} = ANY(fw.fetched_jobs))`;
}

/**
 * Creates (once, whichever process starts first) the index that answers "has this run a live
 * advance job" by the run's id. pg-boss indexes its job table for fetching, not by the
 * run a job's data names, so that question read the whole queue (a nested loop over it per
 * run, or a hash of it per reaper pass: 5 s for 3,000 runs behind a backlog of 3,000 jobs).
 * Partial: only jobs not yet completed (created, retry, active) of the advance queue, one
 * entry per job insert and one more when pg-boss's fetch makes it active; a direct take
 * (created → completed) adds none. It cannot be a migration: migrations run before pg-boss
 * creates its schema, and the queue's table is the one pg-boss chose for it (`table`). The
 * advisory lock keeps a web process and a worker starting together from building it twice.
 */
export function ensureAdvanceJobIndexSql({
  schema,
  table,
  queue,
}: {
  schema: string;
  table: string;
  queue: string;
}): string {
  for (const name of [schema, table]) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new AppError('INTERNAL', `Unexpected pg-boss table name "${name}".`);
  }
  if (!/^[a-z0-9_-]+$/.test(queue)) throw new AppError('INTERNAL', `Unexpected queue name "${queue}".`);
  return `DO $$
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtext('pipewright.advance_job_index'));
      IF to_regclass('${schema}.${ADVANCE_JOB_INDEX}') IS NULL THEN
        CREATE INDEX ${ADVANCE_JOB_INDEX} ON ${schema}.${table} ((data->>'runId'))
          WHERE name = '${queue}' AND state < 'completed';
      END IF;
      IF to_regclass('${schema}.${ADVANCE_JOB_ACTIVE_INDEX}') IS NULL THEN
        CREATE INDEX ${ADVANCE_JOB_ACTIVE_INDEX} ON ${schema}.${table} (started_on)
          WHERE name = '${queue}' AND state = 'active';
      END IF;
    END $$`;
}

/**
 * True when the run aliased `runAlias` has an advance job that will reach it: one waiting to
 * be taken and due (or, for a QUEUED run, due later too: the admission's retry under
 * runsPerMinute), or one a worker took in the last 30 s, or one a live worker names as
 * fetched and still held (`workers.fetched_jobs`, fetchedByLiveWorker). A job due later does not count for a
 * RUNNING run (a timeout timer: the run needs a pass now). A taken (active) job is the
 * ambiguous one: its worker may be waiting for a free slot to claim the run (every run of a
 * backlog passes through this, and counting none of them sent each a second job), or may
 * have died with it (killed, or its connection cut before the claim), and pg-boss leaves it
 * active for the queue's 15-minute expiry. 30 s is far longer than a slot takes to free
 * behind a backlog of short runs, and short beside the look's 2 minutes since the run's
 * last write: the first attempt's 2 minutes after the take held a chaos run's child QUEUED
 * past that. Served by ADVANCE_JOB_INDEX: the clauses on `name` and `state` imply its predicate.
 */
export function hasLiveAdvanceJob({
  jobTable,
  queue,
  runAlias,
  takenWithinSeconds = 30,
  dueLaterCounts = true,
}: {
  /** `schema.table` of the advance queue (advanceJobTable). */
  jobTable: string;
  queue: string;
  runAlias: string;
  /**
   * How long a taken job still counts. A held QUEUED run's claim is all its job does (admission
   * is decided in milliseconds), so the held-run look counts one for 2 s (heldRunsToSend).
   */
  takenWithinSeconds?: number;
  /**
   * Whether a QUEUED run's job due later counts (the admission's retry under runsPerMinute).
   * Not for a held run beside a free slot: the window already has room, and a job due later
   * may be another's (a retried run's timeout timer) that would leave the slot free until then.
   */
  dueLaterCounts?: boolean;
}): RawBuilder<boolean> {
  const run = (column: string) => sql.ref(`${runAlias}.${column}`);
  return sql<boolean>`EXISTS (
    SELECT 1 FROM ${sql.raw(jobTable)} j
     WHERE j.name = ${sql.lit(queue)} AND j.state < 'completed' AND (j.data->>'runId') = ${run('id')}::text
       AND CASE WHEN j.state = 'active' THEN j.started_on > now() - ${sql.lit(`${Math.trunc(takenWithinSeconds)} seconds`)}::interval OR ${fetchedByLiveWorker('j')}
                ELSE j.start_after <= now() ${dueLaterCounts ? sql`OR ${run('status')} = 'QUEUED'` : sql``} END)`;
}
