import 'server-only';
import { faultPoint } from '@/server/runtime/fault-points';
import { CompiledQuery, sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import { PgBoss } from 'pg-boss';
// pg-boss is pinned to one version (package.json): its statement builders are what `send` runs.
import { DEFAULT_SCHEMA, insertJobs, notifyChannelSql } from 'pg-boss/dist/plans.js';
import type { DbOrTx } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { ensureAdvanceJobIndexSql } from '@/server/runtime/queue/advance-job-index';

/** The queue of "advance this run" jobs. A job only names the run; the run row holds the truth. */
export const ADVANCE_QUEUE = 'pipewright-run-advance';

const globalForQueue = globalThis as unknown as { pipewrightBoss?: Promise<PgBoss> };

/**
 * The process's pg-boss. In the web server it only sends (no maintenance, no schedules);
 * the worker starts its own with `work()` handlers (worker/main.ts).
 */
export function getQueue(options: { role: 'sender' | 'worker' } = { role: 'sender' }): Promise<PgBoss> {
  const starting = (globalForQueue.pipewrightBoss ??= (async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new AppError('CONFIG', 'DATABASE_URL is not set.');
    const worker = options.role === 'worker';
    // LISTEN/NOTIFY wakes workers within milliseconds of a send instead of at the next poll.
    const boss = new PgBoss({
      connectionString: url,
      useListenNotify: true,
      supervise: worker,
      schedule: worker,
      max: worker ? 6 : 3,
      application_name: `pipewright-${options.role}`,
    });
    // pg-boss reports a lost connection (its pool's idle clients, its LISTEN client, a failed
    // fetch or maintenance pass) here and carries on: its pool reconnects on the next query and
    // its LISTEN client reconnects with backoff. Unheard, the event would end the process.
    boss.on('error', (error) => console.error(`[queue] ${error.message}`));
    try {
      await boss.start();
      await ensureQueues(boss);
    } catch (error) {
      await boss
        .stop({ graceful: false })
        .catch((stopError: Error) => console.error(`[queue] stopping after a failed start: ${stopError.message}`));
      throw error;
    }
    return boss;
  })());
  // A start that failed (the database was down when the first run was started) is not kept:
  // the web server would otherwise refuse every enqueue until it is restarted.
  starting.catch(() => {
    if (globalForQueue.pipewrightBoss === starting) globalForQueue.pipewrightBoss = undefined;
  });
  return starting;
}

/** Stops the process's pg-boss and forgets it (and the job SQL read from it), so the next use starts anew, e.g. against another DATABASE_URL. */
export async function closeQueue(): Promise<void> {
  const starting = globalForQueue.pipewrightBoss;
  globalForQueue.pipewrightBoss = undefined;
  globalForJobSql.pipewrightAdvanceJobSql = undefined;
  globalForJobSql.pipewrightAdvanceTable = undefined;
  if (starting) await (await starting).stop({ graceful: false, close: true });
}

export async function ensureQueues(boss: PgBoss): Promise<void> {
  if (!(await boss.getQueue(ADVANCE_QUEUE))) {
    // Retries are the run's business (the lease and the reaper), not the queue's: a job that
    // fails is simply dropped; the reaper re-sends for any run left without a live worker.
    await boss.createQueue(ADVANCE_QUEUE, {
      notify: true,
      retryLimit: 0,
      expireInSeconds: 900,
      deleteAfterSeconds: 3600,
    });
  }
  const queue = await boss.getQueue(ADVANCE_QUEUE);
  if (!queue) throw new AppError('INTERNAL', `The ${ADVANCE_QUEUE} queue does not exist.`);
  // Whether a run has a live job, by run id (the reaper's look for lost jobs): see ADVANCE_JOB_INDEX.
  await boss
    .getDb()
    .executeSql(ensureAdvanceJobIndexSql({ schema: DEFAULT_SCHEMA, table: queue.table, queue: ADVANCE_QUEUE }));
}

/** pg-boss writes through our transaction, so a run's state and its job commit together. */
function inTransaction(db: DbOrTx) {
  return {
    executeSql: async (text: string, values?: unknown[]) => {
      const result = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows as unknown[] };
    },
  };
}

/** What an advance job carries: the run, and whether a parent that ended asks it to cancel. */
export const ZAdvanceJob = z.object({ runId: z.string().uuid(), cancel: z.boolean().optional() });
export type TAdvanceJob = z.infer<typeof ZAdvanceJob>;

/**
 * Asks a worker to advance the run, now or at `startAfter`, inside the caller's transaction.
 * `cancel`: the worker first asks the run to cancel (a child whose parent ended).
 */
export async function enqueueAdvance({
  db,
  runId,
  startAfter,
  cancel,
}: {
  db: DbOrTx;
  runId: string;
  startAfter?: Date;
  cancel?: boolean;
}): Promise<void> {
  await faultPoint('queue.beforeSend', { runId });
  const boss = await getQueue();
  const job: TAdvanceJob = cancel ? { runId, cancel } : { runId };
  await boss.send(ADVANCE_QUEUE, job, { db: inTransaction(db), ...(startAfter ? { startAfter } : {}) });
}

const globalForJobSql = globalThis as unknown as {
  pipewrightAdvanceJobSql?: Promise<(rows: string) => string>;
  pipewrightAdvanceTable?: Promise<string>;
};

/**
 * NOTIFY channel on which new advance jobs are named to the workers, `<jobId>:<runId>,…`: a
 * worker with a free slot takes the job and claims its run in one statement (claimRun's
 * `jobId`), instead of being woken to run pg-boss's fetch first. The job stays the truth: a
 * notice nobody acts on leaves it to pg-boss's fetch loops.
 */
export const RUN_READY_CHANNEL = 'pipewright_run_ready';
/** Jobs named per notice (a NOTIFY payload stops at 8000 bytes); a larger batch also wakes pg-boss's fetch loops. */
export const RUN_READY_MAX = 100;

/** `schema.table` of the advance queue's jobs (pg-boss keeps a table per queue), read once per process. */
export function advanceJobTable(): Promise<string> {
  const reading = (globalForJobSql.pipewrightAdvanceTable ??= (async () => {
    const queue = await (await getQueue()).getQueue(ADVANCE_QUEUE);
    if (!queue) throw new AppError('INTERNAL', `The ${ADVANCE_QUEUE} queue does not exist.`);
    if (!/^[a-z_][a-z0-9_]*$/.test(queue.table)) {
      throw new AppError('INTERNAL', `Unexpected pg-boss table name "${queue.table}".`);
    }
    return `${DEFAULT_SCHEMA}.${queue.table}`;
  })());
  reading.catch(() => {
    if (globalForJobSql.pipewrightAdvanceTable === reading) globalForJobSql.pipewrightAdvanceTable = undefined;
  });
  return reading;
}

/**
 * The statement that takes an announced job off the queue as pg-boss's fetch and complete
 * would (state `completed`, started and completed now), if nobody has yet: a CTE named
 * `taken_job`, empty when pg-boss fetched it first or another worker took it (SKIP LOCKED:
 * two workers woken by one notice do not queue behind each other's row lock).
 */
export async function takeAnnouncedJobCte(jobId: string): Promise<RawBuilder<unknown>> {
  const table = sql.raw(await advanceJobTable());
  const now = sql.raw(`${DEFAULT_SCHEMA}.job_now()`);
  return sql`taken_job AS (
      UPDATE ${table} j SET state = 'completed', started_on = ${now}, completed_on = ${now}
       WHERE j.name = ${ADVANCE_QUEUE} AND j.id = (
         SELECT c.id FROM ${table} c
          WHERE c.name = ${ADVANCE_QUEUE} AND c.id = ${jobId}::uuid AND c.state = 'created'
            FOR UPDATE SKIP LOCKED)
      RETURNING j.id)`;
}

/**
 * pg-boss's own INSERT of advance jobs and the workers' wake-up NOTIFY, as CTEs to hang off a
 * statement of ours (`WITH … , <these>`), so a run's row, its first event and its job are one
 * statement and one round trip instead of a transaction of four. `rows` is an SQL expression
 * of a json array of `{data: {runId}}` (e.g. built from the RETURNING of the runs insert).
 * The CTEs are named `advance_jobs`, `advance_due`, `advance_named`, `advance_more` and
 * `advance_notified`; the statement must reference `advance_notified` (a CTE nobody reads is
 * not run). The insert is the SQL `boss.send` runs; the NOTIFY names the jobs (RUN_READY_CHANNEL).
 */
export function advanceJobCtes(): Promise<(rows: string) => string> {
  const building = (globalForJobSql.pipewrightAdvanceJobSql ??= (async () => {
    const boss = await getQueue();
    const queue = await boss.getQueue(ADVANCE_QUEUE);
    if (!queue) throw new AppError('INTERNAL', `The ${ADVANCE_QUEUE} queue does not exist.`);
    const returning = "RETURNING id, start_after, data->>'runId' AS run_id";
    const send = insertJobs(DEFAULT_SCHEMA, { table: queue.table, name: ADVANCE_QUEUE, returnId: true, notify: false });
    const insert = send.replace(/RETURNING id\s*$/, returning);
    // The statement reads its jobs from one parameter; ours come from another CTE instead.
    if (insert.split('$1::text::json').length !== 2 || !insert.endsWith(returning)) {
      throw new AppError('INTERNAL', "pg-boss's job insert is not the statement this code was written against.");
    }
    // Jobs due now are named on RUN_READY_CHANNEL (the first RUN_READY_MAX of them); only a
    // larger batch wakes pg-boss's fetch loops too, which would otherwise race the workers'
    // direct takes for the same jobs.
    return (rows: string) => `advance_jobs AS (${insert.replace('$1::text::json', `(${rows})::text::json`)}),
      advance_due AS (SELECT id, run_id FROM advance_jobs WHERE start_after <= ${DEFAULT_SCHEMA}.job_now()),
      advance_named AS (
        SELECT pg_notify('${RUN_READY_CHANNEL}', string_agg(id::text || ':' || run_id, ','))
          FROM (SELECT id, run_id FROM advance_due LIMIT ${RUN_READY_MAX}) named HAVING count(*) > 0),
      advance_more AS (
        SELECT pg_notify(${notifyChannelSql(DEFAULT_SCHEMA)}, '${ADVANCE_QUEUE}')
          FROM (SELECT 1 FROM advance_due OFFSET ${RUN_READY_MAX} LIMIT 1) more),
      advance_notified AS (SELECT 1 FROM advance_named UNION ALL SELECT 1 FROM advance_more)`;
  })());
  building.catch(() => {
    if (globalForJobSql.pipewrightAdvanceJobSql === building) globalForJobSql.pipewrightAdvanceJobSql = undefined;
  });
  return building;
}
