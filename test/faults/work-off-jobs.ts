import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { advanceRun } from '@/server/runtime/advance-run';
import { ADVANCE_QUEUE } from '@/server/runtime/queue/run-queue';
import { LeaseKeeper } from '@/server/runtime/run-store/lease-keeper';

/** Takes the run's due jobs as pg-boss's fetch would and advances the run once per job; the number taken. */
export async function workOffJobs(db: Db, runId: string): Promise<number> {
  const workerId = `queue-${randomUUID().slice(0, 8)}`;
  const leases = new LeaseKeeper(db, workerId, () => {});
  const jobs = await sql<{ id: string }>`
    UPDATE pgboss.job SET state = 'completed', started_on = now(), completed_on = now()
     WHERE name = ${ADVANCE_QUEUE} AND state = 'created' AND start_after <= now() AND data->>'runId' = ${runId}
     RETURNING id`.execute(db);
  for (const _job of jobs.rows) await advanceRun({ db, runId, workerId, leases });
  return jobs.rows.length;
}
