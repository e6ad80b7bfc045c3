import 'server-only';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';

/**
 * A worker process's row in `workers`: what /health and the reaper read to tell a live worker
 * from a dead one. The worker's timer calls these; the SQL stays here.
 */
export type TWorkerPresence = {
  id: string;
  /** Marks the worker alive, naming the advance jobs it fetched and still holds. */
  beat: (state: { fetchedJobs: readonly string[] }) => Promise<void>;
  stopped: () => Promise<void>;
};

/** Registers this process as a worker and returns the calls that keep its row current. */
export async function registerWorker({ db }: { db: Db }): Promise<TWorkerPresence> {
  const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  await db.insertInto('workers').values({ id, hostname: hostname(), pid: process.pid }).execute();
  return {
    id,
    beat: async ({ fetchedJobs }) => {
      await db
        .updateTable('workers')
        .set({ heartbeat_at: sql`now()`, fetched_jobs: [...fetchedJobs] })
        .where('id', '=', id)
        .execute();
    },
    stopped: async () => {
      await db
        .updateTable('workers')
        .set({ stopped_at: sql`now()`, fetched_jobs: [] })
        .where('id', '=', id)
        .execute();
    },
  };
}
