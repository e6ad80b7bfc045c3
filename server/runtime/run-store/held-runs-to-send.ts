import 'server-only';
import { sql, type RawBuilder } from 'kysely';
import { hasLiveAdvanceJob } from '@/server/runtime/queue/advance-job-index';

/** Workflows with held runs looked at per reaper pass, at most (one index probe each). */
export const HELD_WORKFLOWS_PER_PASS = 1_000;
/** A held run handed back or sent a job this recently is on its way: its decision is not repeated. */
export const HELD_QUIET_SECONDS = 2;

/** A QUEUED run admission handed back: claimed before (`fence > 0`), no lease (runs_held_idx). */
const isHeld = (alias: string) =>
  sql.raw(`${alias}.status = 'QUEUED' AND ${alias}.fence > 0 AND ${alias}.lease_owner IS NULL`);

/** A positive number at `settings.<key>` of the json document `document`, else null. */
const setting = (document: RawBuilder<unknown>, key: string) =>
  sql<number | null>`(CASE WHEN json_typeof(${document} #> ${`{settings,${key}}`}::text[]) = 'number'
    AND (${document} #>> ${`{settings,${key}}`}::text[])::float8 > 0 THEN (${document} #>> ${`{settings,${key}}`}::text[])::float8 END)`;

/**
 * The reaper's held-run look (SPEC §7.1 and §7.5), as one SELECT of run ids: for each workflow
 * with runs held QUEUED by its limits, as many of its oldest held runs as it has free slots,
 * among those a job of which would be the only one coming. Free slots are what admission would
 * count (admitRun): the version's `maxConcurrentRuns` less the runs holding a slot and the runs
 * being admitted now (QUEUED under a live lease), its `runsPerMinute` less the runs started in
 * the last minute and those being admitted, the tenant's two limits likewise, none while the
 * workflow is paused; the version is the oldest held run's (a test run's own document).
 *
 * The free slots go to the oldest held runs, and only those without a job coming are sent one:
 * a run whose hand-off job is on its way keeps its place, so no pass sends more jobs than
 * there are slots. A run held for rate is not sent before its window has room (no free slot
 * until then), and is sent once it has, whatever its retry job due later: so is a run retried
 * under limits whose only job is its timeout timer, due later (counted as coming, it kept a
 * slot free until its deadline). A job taken by a worker counts for
 * HELD_QUIET_SECONDS only: a hand-off job dies with a worker SIGKILLed after taking it
 * (pg-boss does not retry these jobs, and leaves them active for 15 minutes), and the run is
 * sent again within a pass or two. It used to be the oldest held run of each workflow, every
 * 5 s at most, sent whatever its job or its window: with 10 free slots and 38 held runs, after
 * each killed hand-off, minutes.
 *
 * Index-served: the workflows with held runs are found by a loose scan of runs_held_idx (one
 * probe per workflow, not a read of every held run), the counts by runs_active_idx,
 * runs_started_idx, runs_tenant_status_created_idx and runs_tenant_started_idx (the runs being
 * admitted by runs_leased_idx: the live leases, not a workflow's whole queue), the held runs
 * of a workflow by runs_held_idx again, their jobs by ADVANCE_JOB_INDEX.
 */
export function heldRunsToSend({ jobTable, queue }: { jobTable: string; queue: string }): RawBuilder<{ id: string }> {
  const document = sql`coalesce(oldest.test_document::json, v.document)`;
  const maxConcurrent = setting(document, 'maxConcurrentRuns');
  const perMinute = setting(document, 'runsPerMinute');
  const holdsSlot = (alias: string) =>
    sql.raw(
      `${alias}.status IN ('RUNNING', 'WAITING', 'PAUSED') AND (${alias}.status <> 'PAUSED' OR ${alias}.paused_from IS DISTINCT FROM 'QUEUED')`,
    );
  const beingAdmitted = (alias: string) =>
    sql.raw(
      `${alias}.status = 'QUEUED' AND ${alias}.fence > 0 AND ${alias}.lease_owner IS NOT NULL AND ${alias}.lease_expires_at > now()`,
    );
  // No limit: as many as there are held runs (the outer LIMIT bounds the pass).
  const unlimited = sql.lit(2_147_483_647);
  return sql<{ id: string }>`(
    WITH RECURSIVE held_workflows(workflow_id, n) AS (
      (SELECT h.workflow_id, 1 FROM runs h WHERE ${isHeld('h')} ORDER BY h.workflow_id LIMIT 1)
      UNION ALL
      SELECT (SELECT h.workflow_id FROM runs h WHERE ${isHeld('h')} AND h.workflow_id > p.workflow_id ORDER BY h.workflow_id LIMIT 1), p.n + 1
        FROM held_workflows p WHERE p.workflow_id IS NOT NULL AND p.n < ${sql.lit(HELD_WORKFLOWS_PER_PASS)})
    SELECT first_held.id
      FROM held_workflows hw
      JOIN workflows wf ON wf.id = hw.workflow_id AND NOT wf.paused
      CROSS JOIN LATERAL (
        SELECT o.version_id, o.tenant_id, o.test_document FROM runs o
         WHERE o.workflow_id = hw.workflow_id AND ${isHeld('o')} ORDER BY o.created_at LIMIT 1) oldest
      JOIN workflow_versions v ON v.id = oldest.version_id
      JOIN tenants tn ON tn.id = oldest.tenant_id
      CROSS JOIN LATERAL (
        SELECT (SELECT count(*) FROM runs a WHERE a.workflow_id = hw.workflow_id AND ${beingAdmitted('a')}) AS admitting,
               (SELECT count(*) FROM runs a WHERE a.tenant_id = oldest.tenant_id AND ${beingAdmitted('a')}) AS tenant_admitting) busy
      CROSS JOIN LATERAL (
        SELECT least(
          CASE WHEN ${maxConcurrent} IS NULL THEN ${unlimited}
               ELSE ${maxConcurrent} - busy.admitting - (SELECT count(*) FROM runs a WHERE a.workflow_id = hw.workflow_id AND ${holdsSlot('a')}) END,
          CASE WHEN ${perMinute} IS NULL THEN ${unlimited}
               ELSE ${perMinute} - busy.admitting - (SELECT count(*) FROM runs a WHERE a.workflow_id = hw.workflow_id AND a.started_at > now() - interval '1 minute') END,
          CASE WHEN coalesce(tn.max_concurrent_runs, 0) <= 0 THEN ${unlimited}
               ELSE tn.max_concurrent_runs - busy.tenant_admitting - (SELECT count(*) FROM runs a WHERE a.tenant_id = oldest.tenant_id AND ${holdsSlot('a')}) END,
          CASE WHEN coalesce(tn.runs_per_minute, 0) <= 0 THEN ${unlimited}
               ELSE tn.runs_per_minute - busy.tenant_admitting - (SELECT count(*) FROM runs a WHERE a.tenant_id = oldest.tenant_id AND a.started_at > now() - interval '1 minute') END
        )::int AS free) slots
      CROSS JOIN LATERAL (
        SELECT q.id, q.status, q.updated_at FROM runs q
         WHERE q.workflow_id = hw.workflow_id AND ${isHeld('q')}
         ORDER BY q.created_at LIMIT greatest(slots.free, 0)) first_held
     WHERE first_held.updated_at < now() - ${sql.lit(`${HELD_QUIET_SECONDS} seconds`)}::interval
       AND NOT ${hasLiveAdvanceJob({ jobTable, queue, runAlias: 'first_held', takenWithinSeconds: HELD_QUIET_SECONDS, dueLaterCounts: false })})`;
}
