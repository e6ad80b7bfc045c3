import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { recordAudit } from '@/server/audit/record-audit';
import { deleteRunTrees } from '@/server/runtime/run-store/delete-run-trees';
import { DEFAULT_RETENTION_DAYS } from '@/model/tenant-settings';

/** Top-level runs deleted per statement (with their children). */
export const PURGE_BATCH = 1_000;
/** Batches per pass at most, so one pass cannot hold the lock for hours; the next pass goes on. */
const MAX_BATCHES_PER_PASS = 200;
/** The session lock that makes one worker the purger at a time. */
const PURGE_LOCK = 'pipewright.retention';

export type TPurgePass = { ran: boolean; deleted: number; batches: number; byTenant: Record<string, number> };

/**
 * One retention pass (SPEC §8): deletes terminal runs that ended longer ago than their
 * version's `settings.retentionDays` (else the tenant's `retentionDays`, else 30 days) with
 * everything they own and their child runs, in batches of `batchSize` top-level runs, each
 * batch its own transaction. Only one worker runs a pass at a time (a session advisory lock:
 * a worker that dies mid-pass drops it with its connection); another finding the lock taken
 * returns `{ ran: false }`. A non-terminal run is never deleted, nor a tree holding one.
 * Each tenant that lost runs gets one audit entry for the pass, counting them.
 */
export async function purgeExpiredRuns({
  db,
  batchSize = PURGE_BATCH,
  maxBatches = MAX_BATCHES_PER_PASS,
}: {
  db: Db;
  batchSize?: number;
  maxBatches?: number;
}): Promise<TPurgePass> {
  return db.connection().execute(async (conn) => {
    const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(hashtext(${PURGE_LOCK})) AS ok`.execute(conn);
    if (!lock.rows[0]?.ok) return { ran: false, deleted: 0, batches: 0, byTenant: {} };
    const byTenant: Record<string, number> = {};
    let deleted = 0;
    let batches = 0;
    try {
      for (; batches < maxBatches;) {
        const { found, trees } = await conn.transaction().execute(async (tx) => {
          const expired = await sql<{ id: string }>`
            WITH policy AS (
              SELECT v.id AS version_id,
                     make_interval(days => coalesce(
                       CASE WHEN (v.document::jsonb #>> '{settings,retentionDays}') ~ '^[0-9]{1,5}$'
                            THEN (v.document::jsonb #>> '{settings,retentionDays}')::int END,
                       t.retention_days, ${DEFAULT_RETENTION_DAYS})) AS keep
                FROM workflow_versions v JOIN tenants t ON t.id = v.tenant_id
               WHERE v.status = 'published'
            )
            SELECT r.id FROM policy p CROSS JOIN LATERAL (
              SELECT id FROM runs
               WHERE version_id = p.version_id AND parent_run_id IS NULL
                 AND completed_at IS NOT NULL AND completed_at < now() - p.keep
                 AND status IN ('SUCCEEDED', 'FAILED', 'CANCELED')
               ORDER BY completed_at
               LIMIT ${batchSize}
            ) r
            LIMIT ${batchSize}`.execute(tx);
          const ids = expired.rows.map((row) => row.id);
          return { found: ids.length, trees: await deleteRunTrees(tx, ids) };
        });
        batches += 1;
        for (const tree of trees) {
          byTenant[tree.tenantId] = (byTenant[tree.tenantId] ?? 0) + tree.runs;
          deleted += tree.runs;
        }
        // A batch that deleted nothing it found (every tree still had a run going) would find
        // the same runs again: stop, the next pass looks again.
        if (found < batchSize || trees.length === 0) break;
      }
      if (deleted > 0) {
        await conn.transaction().execute(async (tx) => {
          for (const [tenantId, runs] of Object.entries(byTenant)) {
            await recordAudit({
              db: tx,
              ctx: { tenantId, actor: { type: 'system', name: 'retention' } },
              entry: { action: 'runs.purged', targetType: 'tenant', targetId: tenantId, data: { runs, batches } },
            });
          }
        });
      }
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext(${PURGE_LOCK}))`.execute(conn);
    }
    return { ran: true, deleted, batches, byTenant };
  });
}
