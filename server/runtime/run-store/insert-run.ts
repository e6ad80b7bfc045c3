import 'server-only';
import { CompiledQuery } from 'kysely';
import type { DbOrTx, Tx } from '@/server/db/database';
import { NAMED_STATEMENT_MARK } from '@/server/db/named-statements';
import { actorId, actorLabel, type TAuthContext } from '@/server/auth/context';
import type { TAuditRecord } from '@/server/audit/record-audit';
import { initialExecution } from '@/server/runtime/execution/execution-state';
import { advanceJobCtes } from '@/server/runtime/queue/run-queue';

export type TNewRun = {
  id: string;
  tenantId: string;
  workflowId: string;
  workflowKey: string;
  versionId: string;
  version: number;
  input: unknown;
  trigger: { type: string; id?: string };
  parent: { runId: string; stepPath: string } | null;
  idempotencyKey: string | null;
  /** The audit entry that records this start (its target is the run), written by the same statement. */
  audit?: TNewRunAudit | null;
  /** Checked when the run is written; a run that fails it is not written (see TPinCheck). */
  check?: TPinCheck | null;
};

export type TNewRunAudit = { ctx: Pick<TAuthContext, 'actor'>; entry: Omit<TAuditRecord, 'targetType' | 'targetId'> };

/**
 * What a run's pinned version is checked against when it is written, for starts that pinned it
 * from a cache rather than in their own transaction: `latest` — still the highest published
 * version of a workflow that is not archived; `version` — a workflow that is not archived
 * (a published version never changes). A run that fails its check is not written.
 */
export type TPinCheck = 'latest' | 'version';

function rowOf(run: TNewRun, execution: string) {
  return {
    id: run.id,
    tenant_id: run.tenantId,
    workflow_id: run.workflowId,
    workflow_key: run.workflowKey,
    version_id: run.versionId,
    version: run.version,
    input: run.input ?? {},
    trigger: run.trigger,
    parent_run_id: run.parent?.runId ?? null,
    parent_step_path: run.parent?.stepPath ?? null,
    idempotency_key: run.idempotencyKey,
    execution,
    check_pin: run.check ?? null,
    audit: run.audit
      ? {
          actor_type: run.audit.ctx.actor.type,
          actor_id: actorId(run.audit.ctx.actor),
          actor_label: actorLabel(run.audit.ctx.actor),
          action: run.audit.entry.action,
          data: run.audit.entry.data ?? {},
        }
      : null,
  };
}

/**
 * Fairness across tenants (SPEC §8): a run's job is fetched by priority, and its priority is
 * minus the number of its tenant's runs queued ahead of it when it was written (capped here).
 * pg-boss fetches by priority, then age, so the workers take every tenant's first queued run,
 * then every tenant's second, and so on: round-robin across tenants with work. A tenant with
 * 10,000 runs queued delays another tenant's new run by the few runs already being fetched.
 * Runs queued beyond the cap share its priority and go by age. Jobs sent later for a run
 * already going (wake-ups, timers, admission hand-backs) have priority 0: work in progress
 * goes before new starts.
 */
export const FAIR_RANK_CAP = 1_000;

/**
 * Creates QUEUED runs, each with its first event (`run.queued`, seq 1), its audit entry and its
 * advance job, in ONE statement: the runs insert, with the event, audit and pg-boss job inserts
 * and the workers' NOTIFY as CTEs off its RETURNING. Outside a transaction the statement is its
 * own, so a run and its job still appear together or not at all. Each job's priority is its
 * run's place in its tenant's queue (FAIR_RANK_CAP). Returns the ids written (a
 * run whose `check` failed is left out).
 */
export async function insertRuns(db: DbOrTx, runs: readonly TNewRun[]): Promise<Set<string>> {
  if (runs.length === 0) return new Set();
  const result = await db.executeQuery<{ id: string }>(await insertRunsStatement(db, runs));
  return new Set(result.rows.map((row) => row.id));
}

/** insertRuns' one statement, with the runs as its one parameter. */
export async function insertRunsStatement(db: DbOrTx, runs: readonly TNewRun[]): Promise<CompiledQuery> {
  const jobs = await advanceJobCtes();
  const execution = JSON.stringify(initialExecution());
  // The text is the same for every call of this process (the rows are its one parameter), so
  // PostgreSQL parses and plans this dozen-CTE statement once per connection instead of on every
  // start, which was most of a start's time in the database. Only outside a transaction: there a
  // prepared form made stale by a migration is prepared again and the statement sent once more,
  // while inside a caller's transaction the error would end that transaction.
  const mark = db.isTransaction ? '' : NAMED_STATEMENT_MARK;
  const text = `${mark}
    WITH req AS (
      SELECT r.* FROM jsonb_to_recordset($1::jsonb) AS r(
        id uuid, tenant_id uuid, workflow_id uuid, workflow_key text, version_id uuid, version int, input jsonb, trigger jsonb,
        parent_run_id uuid, parent_step_path text, idempotency_key text, execution text, check_pin text, audit jsonb)
    ),
    ok AS (
      SELECT req.* FROM req
       WHERE req.check_pin IS NULL OR EXISTS (
         SELECT 1 FROM workflows w
          WHERE w.id = req.workflow_id AND w.tenant_id = req.tenant_id AND w.status <> 'archived'
            AND (req.check_pin <> 'latest' OR req.version_id = (
              SELECT v.id FROM workflow_versions v WHERE v.workflow_id = w.id AND v.status = 'published' ORDER BY v.version DESC LIMIT 1)))
    ),
    created AS (
      INSERT INTO runs (id, tenant_id, workflow_id, workflow_key, version_id, version, status, input, trigger, parent_run_id, parent_step_path, idempotency_key, execution, event_seq)
      SELECT id, tenant_id, workflow_id, workflow_key, version_id, version, 'QUEUED', input, trigger, parent_run_id, parent_step_path, idempotency_key, execution::jsonb, 1
        FROM ok
      RETURNING id, tenant_id
    ),
    -- MATERIALIZED: once per tenant. Inlined into its one reader (ranked), the count ran once per
    -- run of the statement: a batch of 8 starts read a backlog of 1,000 queued runs 8 times.
    backlog AS MATERIALIZED (
      SELECT t.tenant_id, (SELECT count(*) FROM (
               SELECT 1 FROM runs r WHERE r.tenant_id = t.tenant_id AND r.status = 'QUEUED' LIMIT ${FAIR_RANK_CAP}) q) AS queued
        FROM (SELECT DISTINCT tenant_id FROM ok) t
    ),
    ranked AS (
      SELECT c.id, -least(b.queued + row_number() OVER (PARTITION BY c.tenant_id) - 1, ${FAIR_RANK_CAP}) AS priority
        FROM created c JOIN backlog b USING (tenant_id)
    ),
    queued AS (
      INSERT INTO run_event_rows (run_id, seq, tenant_id, type, step_id, data)
      SELECT ok.id, 1, ok.tenant_id, 'run.queued', NULL, jsonb_build_object('version', ok.version, 'trigger', ok.trigger)
        FROM ok JOIN created USING (id)
    ),
    audited AS (
      INSERT INTO audit_log (tenant_id, actor_type, actor_id, actor_label, action, target_type, target_id, data)
      SELECT ok.tenant_id, a.actor_type, a.actor_id, a.actor_label, a.action, 'run', ok.id::text, a.data
        FROM ok JOIN created USING (id) CROSS JOIN LATERAL jsonb_to_record(ok.audit) AS a(actor_type text, actor_id text, actor_label text, action text, data jsonb)
       WHERE ok.audit IS NOT NULL
    ),
    ${jobs(`SELECT coalesce(json_agg(json_build_object('data', json_build_object('runId', id), 'priority', priority)), '[]'::json) FROM ranked`)}
    SELECT id FROM created WHERE (SELECT count(*) FROM advance_notified) >= 0`;
  return CompiledQuery.raw(text, [JSON.stringify(runs.map((run) => rowOf(run, execution)))]);
}

/** Creates one QUEUED run with its first event and its job, in the caller's transaction. */
export async function insertRun(tx: Tx, run: TNewRun): Promise<void> {
  await insertRuns(tx, [run]);
}
