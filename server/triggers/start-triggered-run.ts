import 'server-only';
import type { TActor } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import type { Tx } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { startRun } from '@/server/runtime/start-run';
import { recordTriggerFiring } from '@/server/triggers/record-trigger-firing';
import type { TTriggerRow } from '@/server/triggers/trigger-record';

export type TTriggeredStart =
  { outcome: 'started' | 'duplicate'; runId: string } | { outcome: 'rejected' | 'failed'; error: AppError };

/**
 * Starts the run a trigger fired, inside the caller's transaction, together with its firing
 * record and audit entry. A run the trigger may not start (input not matching the parameter
 * schema, nothing published, workflow archived) is not an exception here: it is recorded as a
 * rejected or failed firing and returned, so one bad trigger never blocks the others.
 */
export async function startTriggeredRun({
  tx,
  trigger,
  input,
  actor,
  idempotencyKey,
  slot = null,
  eventId = null,
}: {
  tx: Tx;
  trigger: Pick<TTriggerRow, 'id' | 'tenant_id' | 'workflow_key' | 'version' | 'type'>;
  input: unknown;
  /** Who the run is started for, in the audit log (the event's sender, or the trigger itself). */
  actor: TActor;
  idempotencyKey?: string;
  slot?: Date | null;
  eventId?: string | null;
}): Promise<TTriggeredStart> {
  const base = { db: tx, tenantId: trigger.tenant_id, triggerId: trigger.id, slot, eventId };
  try {
    const started = await startRun({
      tenantId: trigger.tenant_id,
      workflowKey: trigger.workflow_key,
      version: trigger.version ?? 'latest',
      input,
      trigger: { type: trigger.type, id: trigger.id },
      idempotencyKey,
      tx,
      onCreate: (inner, runId) =>
        recordAudit({
          db: inner,
          ctx: { tenantId: trigger.tenant_id, actor },
          entry: {
            action: 'run.started',
            targetType: 'run',
            targetId: runId,
            data: { workflowKey: trigger.workflow_key, trigger: { type: trigger.type, id: trigger.id } },
          },
        }),
    });
    const outcome = started.created ? 'started' : 'duplicate';
    await recordTriggerFiring({ ...base, outcome, runId: started.runId, slot: started.created ? slot : null });
    return { outcome, runId: started.runId };
  } catch (error) {
    // Only the checks startRun makes before writing anything arrive here as AppError; anything
    // else (a database error) has spoiled the transaction and must reach the caller.
    if (!(error instanceof AppError)) throw error;
    const outcome = error.code === 'VALIDATION' ? 'rejected' : 'failed';
    await recordTriggerFiring({ ...base, outcome, message: error.message });
    return { outcome, error };
  }
}
