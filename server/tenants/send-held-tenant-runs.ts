import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';

/** How often a worker looks for tenant slots to fill. */
export const TENANT_SLOTS_INTERVAL_MS = 1_000;

/**
 * Fills the free slots of tenants with a `maxConcurrentRuns`: for each, as many of its runs
 * held QUEUED by admission (handed back, no lease, untouched for a second) as it has free
 * slots get a job, oldest first, and admission decides again. A finishing run hands its slot on
 * to its own workflow's next held run (admitNextQueued); a tenant's slot can be wanted by
 * another workflow's run, which nothing else would send before the reaper's 5 s look. One
 * worker at a time (a transaction-level try-lock); returns how many runs were sent.
 */
export async function sendHeldTenantRuns({ db }: { db: Db }): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const lock = await sql<{
      ok: boolean;
    }>`SELECT pg_try_advisory_xact_lock(hashtext('pipewright.tenant-slots')) AS ok`.execute(tx);
    if (!lock.rows[0]?.ok) return 0;
    const held = await sql<{ id: string }>`
      WITH free AS (
        SELECT t.id, t.max_concurrent_runs - (
                 SELECT count(*) FROM runs r
                  WHERE r.tenant_id = t.id AND r.status IN ('RUNNING', 'WAITING', 'PAUSED')
                    AND (r.status <> 'PAUSED' OR r.paused_from IS DISTINCT FROM 'QUEUED')) AS slots
          FROM tenants t WHERE t.max_concurrent_runs IS NOT NULL
      )
      SELECT h.id FROM free f CROSS JOIN LATERAL (
        SELECT id FROM runs
         WHERE tenant_id = f.id AND status = 'QUEUED' AND fence > 0 AND lease_owner IS NULL
           AND updated_at < now() - interval '1 second'
         ORDER BY created_at LIMIT greatest(f.slots, 0)
      ) h`.execute(tx);
    for (const run of held.rows) await enqueueAdvance({ db: tx, runId: run.id });
    return held.rows.length;
  });
}
