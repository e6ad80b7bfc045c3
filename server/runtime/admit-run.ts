import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import type { TSettings } from '@/server/workflows/definition/version-document';

export type TAdmission = { admitted: true; startedAt: Date } | { admitted: false; retryAt: Date | null };

/**
 * Decides whether a QUEUED run may start under its version's `maxConcurrentRuns` and
 * `runsPerMinute` (SPEC §5), and starts it if so: status RUNNING, `started_at`, `run.started`.
 * One decision per workflow at a time (advisory lock), so two workers cannot both take the
 * last slot. A run held for concurrency is sent again when a run of the workflow finishes
 * (admitNextQueued); one held for rate is sent again when the window has room (`retryAt`).
 */
export async function admitRun({ db, run, settings, fence }: { db: Db; run: { id: string; workflowId: string; tenantId: string }; settings: TSettings; fence: string }): Promise<TAdmission> {
  return db.transaction().execute(async (tx) => {
    if (settings.maxConcurrentRuns || settings.runsPerMinute) {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`pipewright.admit:${run.workflowId}`}))`.execute(tx);
      const counts = await sql<{ active: number; recent: number; oldest_recent: Date | null }>`
        SELECT count(*) FILTER (WHERE status IN ('RUNNING', 'WAITING', 'PAUSED'))::int AS active,
               count(*) FILTER (WHERE started_at > now() - interval '1 minute')::int AS recent,
               min(started_at) FILTER (WHERE started_at > now() - interval '1 minute') AS oldest_recent
          FROM runs WHERE workflow_id = ${run.workflowId} AND id <> ${run.id}`.execute(tx);
      const { active = 0, recent = 0, oldest_recent = null } = counts.rows[0] ?? {};
      if (settings.maxConcurrentRuns && active >= settings.maxConcurrentRuns) return { admitted: false, retryAt: null };
      if (settings.runsPerMinute && recent >= settings.runsPerMinute) {
        return { admitted: false, retryAt: new Date((oldest_recent ?? new Date()).getTime() + 60_000) };
      }
    }
    const row = await tx
      .updateTable('runs')
      .set({ status: 'RUNNING', started_at: sql`now()`, event_seq: sql`event_seq + 1`, updated_at: sql`now()` })
      .where('id', '=', run.id)
      .where('fence', '=', fence)
      .where('status', '=', 'QUEUED')
      .returning(['event_seq', 'started_at'])
      .executeTakeFirstOrThrow();
    await tx.insertInto('run_events').values({ run_id: run.id, seq: row.event_seq, tenant_id: run.tenantId, type: 'run.started', step_id: null, data: '{}' }).execute();
    return { admitted: true, startedAt: row.started_at ?? new Date() };
  });
}

/** Hands a held run back without starting it: no lease, still QUEUED. */
export async function releaseHeld({ db, runId, fence }: { db: Db; runId: string; fence: string }): Promise<void> {
  await db.updateTable('runs').set({ lease_owner: null, lease_expires_at: null, updated_at: sql`now()` }).where('id', '=', runId).where('fence', '=', fence).execute();
}
