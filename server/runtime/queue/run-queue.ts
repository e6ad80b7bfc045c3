import 'server-only';
import { faultPoint } from '@/server/runtime/fault-points';
import { CompiledQuery } from 'kysely';
import { z } from 'zod';
import { PgBoss } from 'pg-boss';
// pg-boss is pinned to one version (package.json): its statement builders are what `send` runs.
import { DEFAULT_SCHEMA, insertJobs, notifyChannelSql } from 'pg-boss/dist/plans.js';
import type { DbOrTx } from '@/server/db/database';
import { AppError } from '@/model/errors';

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

const globalForJobSql = globalThis as unknown as { pipewrightAdvanceJobSql?: Promise<(rows: string) => string> };

/**
 * pg-boss's own INSERT of advance jobs and its wake-up NOTIFY, as two CTEs to hang off a
 * statement of ours (`WITH … , <these>`), so a run's row, its first event and its job are one
 * statement and one round trip instead of a transaction of four. `rows` is an SQL expression
 * of a json array of `{data: {runId}}` (e.g. built from the RETURNING of the runs insert).
 * The CTEs are named `advance_jobs` and `advance_notified`; the statement must reference
 * `advance_notified` (a CTE nobody reads is not run). Same SQL as `boss.send` with `notify`.
 */
export function advanceJobCtes(): Promise<(rows: string) => string> {
  const building = (globalForJobSql.pipewrightAdvanceJobSql ??= (async () => {
    const boss = await getQueue();
    const queue = await boss.getQueue(ADVANCE_QUEUE);
    if (!queue) throw new AppError('INTERNAL', `The ${ADVANCE_QUEUE} queue does not exist.`);
    const insert = insertJobs(DEFAULT_SCHEMA, {
      table: queue.table,
      name: ADVANCE_QUEUE,
      returnId: true,
      notify: false,
    }).replace(/RETURNING id\s*$/, 'RETURNING id, start_after');
    // The statement reads its jobs from one parameter; ours come from another CTE instead.
    if (insert.split('$1::text::json').length !== 2 || !/RETURNING id, start_after$/.test(insert)) {
      throw new AppError('INTERNAL', "pg-boss's job insert is not the statement this code was written against.");
    }
    return (rows: string) => `advance_jobs AS (${insert.replace('$1::text::json', `(${rows})::text::json`)}),
      advance_notified AS (SELECT pg_notify(${notifyChannelSql(DEFAULT_SCHEMA)}, '${ADVANCE_QUEUE}') FROM advance_jobs WHERE start_after <= ${DEFAULT_SCHEMA}.job_now() LIMIT 1)`;
  })());
  building.catch(() => {
    if (globalForJobSql.pipewrightAdvanceJobSql === building) globalForJobSql.pipewrightAdvanceJobSql = undefined;
  });
  return building;
}
