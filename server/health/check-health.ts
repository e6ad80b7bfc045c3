import { sql } from 'kysely';
import type { Db } from '@/server/db/database';

/** A worker counts as alive when its heartbeat is younger than this. */
export const WORKER_ALIVE_MS = 30_000;

/**
 * `db`: the database answers. `queue`: pg-boss's schema is installed and at least one worker
 * has beaten its heart within 30 s, i.e. jobs sent now would be picked up.
 */
export async function checkHealth({ db }: { db: Db }): Promise<{ ok: boolean; db: boolean; queue: boolean }> {
  const dbOk = await sql`SELECT 1`.execute(db).then(
    () => true,
    () => false,
  );
  if (!dbOk) return { ok: false, db: false, queue: false };
  const row = await sql<{ installed: boolean; workers: number }>`
    SELECT to_regclass('pgboss.job') IS NOT NULL AS installed,
           (SELECT count(*)::int FROM workers
             WHERE stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => ${WORKER_ALIVE_MS / 1000})) AS workers`
    .execute(db)
    .then((result) => result.rows[0]);
  const queue = Boolean(row?.installed) && (row?.workers ?? 0) > 0;
  return { ok: queue, db: true, queue };
}
