import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';

export const HEARTBEAT_INTERVAL_MS = 5_000;

/** Registers this worker process and keeps its heartbeat fresh until stopped. */
export async function startHeartbeat({
  db,
  log,
}: {
  db: Db;
  log: (line: string) => void;
}): Promise<{ id: string; stop: () => Promise<void> }> {
  const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  await db.insertInto('workers').values({ id, hostname: hostname(), pid: process.pid }).execute();
  let beating: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    beating = db
      .updateTable('workers')
      .set({ heartbeat_at: sql`now()` })
      .where('id', '=', id)
      .execute()
      .catch((error: Error) => log(`heartbeat failed: ${error.message}`));
  }, HEARTBEAT_INTERVAL_MS);
  return {
    id,
    stop: async () => {
      clearInterval(timer);
      await beating;
      await db
        .updateTable('workers')
        .set({ stopped_at: sql`now()` })
        .where('id', '=', id)
        .execute();
    },
  };
}
