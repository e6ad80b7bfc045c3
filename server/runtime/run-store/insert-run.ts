import 'server-only';
import { CompiledQuery } from 'kysely';
import type { DbOrTx, Tx } from '@/server/db/database';
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
 * Creates QUEUED runs, each with its first event (`run.queued`, seq 1), its audit entry and its
 * advance job, in ONE statement: the runs insert, with the event, audit and pg-boss job inserts
 * and the workers' NOTIFY as CTEs off its RETURNING. Outside a transaction the statement is its
 * own, so a run and its job still appear together or not at all. Returns the ids written (a
 * run whose `check` failed is left out).
 */
export async function insertRuns(db: DbOrTx, runs: readonly TNewRun[]): Promise<Set<string>> {
  if (runs.length === 0) return new Set();
  const jobs = await advanceJobCtes();
  const execution = JSON.stringify(initialExecution());
  const text = `
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
      RETURNING id
    ),
    queued AS (
      INSERT INTO run_events (run_id, seq, tenant_id, type, step_id, data)
      SELECT ok.id, 1, ok.tenant_id, 'run.queued', NULL, jsonb_build_object('version', ok.version, 'trigger', ok.trigger)
        FROM ok JOIN created USING (id)
    ),
    audited AS (
      INSERT INTO audit_log (tenant_id, actor_type, actor_id, actor_label, action, target_type, target_id, data)
      SELECT ok.tenant_id, a.actor_type, a.actor_id, a.actor_label, a.action, 'run', ok.id::text, a.data
        FROM ok JOIN created USING (id) CROSS JOIN LATERAL jsonb_to_record(ok.audit) AS a(actor_type text, actor_id text, actor_label text, action text, data jsonb)
       WHERE ok.audit IS NOT NULL
    ),
    ${jobs(`SELECT coalesce(json_agg(json_build_object('data', json_build_object('runId', id))), '[]'::json) FROM created`)}
    SELECT id FROM created WHERE (SELECT count(*) FROM advance_notified) >= 0`;
  const result = await db.executeQuery<{ id: string }>(
    CompiledQuery.raw(text, [JSON.stringify(runs.map((run) => rowOf(run, execution)))]),
  );
  return new Set(result.rows.map((row) => row.id));
}

/** Creates one QUEUED run with its first event and its job, in the caller's transaction. */
export async function insertRun(tx: Tx, run: TNewRun): Promise<void> {
  await insertRuns(tx, [run]);
}
