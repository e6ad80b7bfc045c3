import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';

/** A worker counts as alive when its heartbeat is younger than this. */
export const WORKER_ALIVE_MS = 30_000;

/**
 * How long the check waits for the database. A database host that went away without closing
 * its connections (a network partition, a paused VM) answers nothing at all; the check must
 * still say "down" rather than hang the health request until the load balancer gives up.
 */
export const HEALTH_TIMEOUT_MS = 3_000;

/** The query's result, or null when it failed or did not answer within HEALTH_TIMEOUT_MS. */
async function answerOrNull<T>(query: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), HEALTH_TIMEOUT_MS)));
  // A failed query is what this check exists to report, as `db: false` or `queue: false`.
  const answered = query.catch(() => null);
  try {
    return await Promise.race([answered, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `db`: the database answers. `queue`: pg-boss's schema is installed and at least one worker
 * has beaten its heart within 30 s, i.e. jobs sent now would be picked up. Never throws: while
 * the database or the worker is down it says which.
 */
export async function checkHealth({ db }: { db: Db }): Promise<{ ok: boolean; db: boolean; queue: boolean }> {
  const dbOk = (await answerOrNull(sql`SELECT 1`.execute(db))) !== null;
  if (!dbOk) return { ok: false, db: false, queue: false };
  const row = await answerOrNull(
    sql<{ installed: boolean; workers: number }>`
    SELECT to_regclass('pgboss.job') IS NOT NULL AS installed,
           (SELECT count(*)::int FROM workers
             WHERE stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => ${WORKER_ALIVE_MS / 1000})) AS workers`
      .execute(db)
      .then((result) => result.rows[0]),
  );
  const queue = Boolean(row?.installed) && (row?.workers ?? 0) > 0;
  return { ok: queue, db: true, queue };
}
