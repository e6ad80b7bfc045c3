import type { Tx } from '@/server/db/database';
import { initialExecution } from '@/server/runtime/execution/execution-state';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';

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
};

/** Creates a QUEUED run with its first event (`run.queued`, seq 1) and its job, in the caller's transaction. */
export async function insertRun(tx: Tx, run: TNewRun): Promise<void> {
  await tx
    .insertInto('runs')
    .values({
      id: run.id,
      tenant_id: run.tenantId,
      workflow_id: run.workflowId,
      workflow_key: run.workflowKey,
      version_id: run.versionId,
      version: run.version,
      status: 'QUEUED',
      input: JSON.stringify(run.input),
      trigger: JSON.stringify(run.trigger),
      parent_run_id: run.parent?.runId ?? null,
      parent_step_path: run.parent?.stepPath ?? null,
      idempotency_key: run.idempotencyKey,
      execution: JSON.stringify(initialExecution()),
      event_seq: 1,
    })
    .execute();
  await tx.insertInto('run_events').values({ run_id: run.id, seq: 1, tenant_id: run.tenantId, type: 'run.queued', step_id: null, data: JSON.stringify({ version: run.version, trigger: run.trigger }) }).execute();
  await enqueueAdvance({ db: tx, runId: run.id });
}
