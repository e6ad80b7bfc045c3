import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';

export const REAP_INTERVAL_MS = 2_000;

/**
 * Finds runs a worker should be advancing but none is: a lease that expired (its worker
 * died), or a runnable run left without a lease for minutes (a lost job; runs held QUEUED by
 * their workflow's limits are sent again when a slot frees, not by this). One worker at a
 * time does this (advisory lock); the claim makes any duplicate job harmless.
 */
export async function reapStalledRuns({ db }: { db: Db }): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const lock = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(hashtext('pipewright.reaper')) AS locked`.execute(tx);
    if (!lock.rows[0]?.locked) return 0;
    const stalled = await tx
      .selectFrom('runs')
      .select('id')
      .where((eb) =>
        eb.or([
          // Not only RUNNING: a worker that dies between its claim and its first write leaves
          // the run QUEUED (before admission) or WAITING (claimed for a due timer) with an
          // expired lease and no job; nothing else would ever send it again.
          eb.and([eb('lease_owner', 'is not', null), eb('status', 'in', ['QUEUED', 'RUNNING', 'WAITING']), eb('lease_expires_at', '<', sql<Date>`now()`)]),
          eb.and([eb('status', 'in', ['QUEUED', 'RUNNING']), eb('lease_owner', 'is', null), eb('updated_at', '<', sql<Date>`now() - interval '2 minutes'`)]),
        ]),
      )
      .limit(500)
      .execute();
    for (const run of stalled) {
      await enqueueAdvance({ db: tx, runId: run.id });
      // Touch it, so a run whose job is merely slow is not re-sent on every pass.
      await tx.updateTable('runs').set({ updated_at: sql`now()` }).where('id', '=', run.id).execute();
    }
    return stalled.length;
  });
}
