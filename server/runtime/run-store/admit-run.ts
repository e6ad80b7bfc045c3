import 'server-only';
import { sql } from 'kysely';
import type { Db, Tx } from '@/server/db/database';
import type { TSettings } from '@/model/definition/version-document';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';
import { oldestHeldRun, scheduleRunTimeout } from '@/server/runtime/run-store/end-run-effects';
import type { TTenantLimits } from '@/server/tenants/tenant-limits';

export type TAdmission = { admitted: true; startedAt: Date } | { admitted: false; retryAt: Date | null };

/**
 * Decides whether a QUEUED run may start under its version's `maxConcurrentRuns` and
 * `runsPerMinute` (SPEC §5), and starts it if so: status RUNNING, `started_at` and
 * `run.started` (on its first start; a retried run keeps both), and the `settings.timeoutMs`
 * wait, all in this one transaction, so a worker dying right after admission leaves no
 * started run without its deadline. One decision per workflow at a time (advisory lock), so
 * two workers cannot both take the last slot. A run held for concurrency is sent again when a
 * run of the workflow finishes (admitNextQueued) and, while slots remain, by the admission
 * before it (so several runs finishing at once fill every slot); one held for rate is sent
 * again when the window has room (`retryAt`).
 */
export async function admitRun({
  db,
  run,
  settings,
  tenantLimits = null,
  fence,
}: {
  db: Db;
  run: { id: string; workflowId: string; tenantId: string };
  settings: TSettings;
  /** The tenant-wide limits (Settings → Tenant), checked besides the version's, under the tenant's lock. */
  tenantLimits?: TTenantLimits | null;
  fence: string;
}): Promise<TAdmission> {
  return db.transaction().execute(async (tx) => {
    // Lock order: the tenant's, then the workflow's (every admission takes them in this order).
    const tenantLimited = Boolean(tenantLimits?.maxConcurrentRuns || tenantLimits?.runsPerMinute);
    if (tenantLimited) {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`pipewright.admit-tenant:${run.tenantId}`}))`.execute(tx);
      const tenant = await countTenantStarted(tx, run);
      if (tenantLimits?.maxConcurrentRuns && tenant.active >= tenantLimits.maxConcurrentRuns)
        return { admitted: false, retryAt: null };
      if (tenantLimits?.runsPerMinute && tenant.recent >= tenantLimits.runsPerMinute) {
        return { admitted: false, retryAt: new Date((tenant.oldestRecent ?? new Date()).getTime() + 60_000) };
      }
    }
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`pipewright.admit:${run.workflowId}`}))`.execute(tx);
    // A paused workflow holds every new run; clearing the flag sends the held ones a job (setWorkflowPaused).
    const workflow = await tx
      .selectFrom('workflows')
      .select('paused')
      .where('id', '=', run.workflowId)
      .executeTakeFirst();
    if (workflow?.paused) return { admitted: false, retryAt: null };
    const { active, recent, oldestRecent } = await countStarted(tx, run);
    if (settings.maxConcurrentRuns && active >= settings.maxConcurrentRuns) return { admitted: false, retryAt: null };
    if (settings.runsPerMinute && recent >= settings.runsPerMinute) {
      return { admitted: false, retryAt: new Date((oldestRecent ?? new Date()).getTime() + 60_000) };
    }
    const row = await tx
      .updateTable('runs')
      .set({
        status: 'RUNNING',
        started_at: sql`coalesce(started_at, now())`,
        event_seq: sql`event_seq + (CASE WHEN started_at IS NULL THEN 1 ELSE 0 END)`,
        updated_at: sql`now()`,
      })
      .where('id', '=', run.id)
      .where('fence', '=', fence)
      .where('status', '=', 'QUEUED')
      .returning(['event_seq', 'started_at'])
      .returning(sql<boolean>`(SELECT started_at IS NULL FROM runs WHERE id = ${run.id})`.as('first_start'))
      .executeTakeFirstOrThrow();
    const startedAt = row.started_at ?? new Date();
    if (row.first_start) {
      await tx
        .insertInto('run_event_rows')
        .values({
          run_id: run.id,
          seq: row.event_seq,
          tenant_id: run.tenantId,
          type: 'run.started',
          step_id: null,
          data: '{}',
        })
        .execute();
      if (settings.timeoutMs)
        await scheduleRunTimeout(
          tx,
          { id: run.id, tenant_id: run.tenantId },
          new Date(startedAt.getTime() + settings.timeoutMs),
        );
    }
    // Slots left after this one: the next held run need not wait for another run to finish.
    if (!settings.maxConcurrentRuns || active + 1 < settings.maxConcurrentRuns) await sendNextHeld(tx, run);
    return { admitted: true, startedAt };
  });
}

/**
 * Runs of the workflow holding a slot, and started in the last minute, besides this one.
 * Two index-served counts (runs_active_idx, runs_started_idx), not a scan of every run the
 * workflow ever had, which is what admission used to cost under its lock.
 */
async function countStarted(
  tx: Tx,
  run: { id: string; workflowId: string },
): Promise<{ active: number; recent: number; oldestRecent: Date | null }> {
  const active = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM runs WHERE workflow_id = ${run.workflowId} AND status IN ('RUNNING', 'WAITING', 'PAUSED') AND ${holdsSlot} AND id <> ${run.id}`.execute(
    tx,
  );
  const recent = await sql<{ n: number; oldest: Date | null }>`
    SELECT count(*)::int AS n, min(started_at) AS oldest FROM runs WHERE workflow_id = ${run.workflowId} AND started_at > now() - interval '1 minute' AND id <> ${run.id}`.execute(
    tx,
  );
  return {
    active: active.rows[0]?.n ?? 0,
    recent: recent.rows[0]?.n ?? 0,
    oldestRecent: recent.rows[0]?.oldest ?? null,
  };
}

/**
 * The tenant's runs holding a slot and started in the last minute, besides this one
 * (runs_tenant_status_created_idx, runs_tenant_started_idx).
 */
async function countTenantStarted(
  tx: Tx,
  run: { id: string; tenantId: string },
): Promise<{ active: number; recent: number; oldestRecent: Date | null }> {
  const active = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM runs WHERE tenant_id = ${run.tenantId} AND status IN ('RUNNING', 'WAITING', 'PAUSED') AND ${holdsSlot} AND id <> ${run.id}`.execute(
    tx,
  );
  const recent = await sql<{ n: number; oldest: Date | null }>`
    SELECT count(*)::int AS n, min(started_at) AS oldest FROM runs WHERE tenant_id = ${run.tenantId} AND started_at > now() - interval '1 minute' AND id <> ${run.id}`.execute(
    tx,
  );
  return {
    active: active.rows[0]?.n ?? 0,
    recent: recent.rows[0]?.n ?? 0,
    oldestRecent: recent.rows[0]?.oldest ?? null,
  };
}

/** A run counted against maxConcurrentRuns: running, waiting, or paused after it was admitted (not paused while queued). */
const holdsSlot = sql<boolean>`(status <> 'PAUSED' OR paused_from IS DISTINCT FROM 'QUEUED')`;

/** The oldest other run held QUEUED (claimed before, handed back) gets a job to be decided again. */
async function sendNextHeld(tx: Tx, run: { id: string; workflowId: string }): Promise<void> {
  const next = (await oldestHeldRun(run.workflowId, run.id).execute(tx)).rows[0];
  if (next) await enqueueAdvance({ db: tx, runId: next.id });
}

/**
 * Hands a held run back without starting it: no lease, still QUEUED. Returns true when a job
 * arrived for it meanwhile (`wake_requested`: a slot freed while admission was deciding); the
 * caller then decides again instead of leaving the run held with nobody coming for it.
 */
export async function releaseHeld({ db, runId, fence }: { db: Db; runId: string; fence: string }): Promise<boolean> {
  const row = await sql<{ woken: boolean }>`
    UPDATE runs r SET lease_owner = NULL, lease_expires_at = NULL, wake_requested = false, updated_at = now()
      FROM (SELECT id, wake_requested FROM runs WHERE id = ${runId} FOR UPDATE) prev
     WHERE r.id = prev.id AND r.fence = ${fence}
    RETURNING prev.wake_requested AS woken`.execute(db);
  return row.rows[0]?.woken ?? false;
}
