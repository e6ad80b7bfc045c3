import 'server-only';
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '@/server/db/database';
import type { TAuthContext, TActor } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';
import { forgetWorkflowPaused } from '@/server/workflows/workflow-paused';

/** Held runs sent a job at once when a workflow is resumed; admission hands on to the next ones as they start. */
const RESUME_SEND = 100;

/**
 * Sets or clears a workflow's `paused` flag (SPEC §8) in the caller's transaction: while set,
 * admission holds its new runs QUEUED; clearing it sends the oldest held runs a job, and each
 * admission sends the next. Audited as `workflow.paused` / `workflow.unpaused`.
 */
export async function setWorkflowPaused({
  tx,
  ctx,
  key,
  paused,
  reason,
}: {
  tx: Tx;
  ctx: Pick<TAuthContext, 'tenantId'> & { actor: TActor };
  key: string;
  paused: boolean;
  reason?: string;
}): Promise<{ changed: boolean }> {
  const row = await tx
    .selectFrom('workflows')
    .select(['id', 'paused'])
    .where('tenant_id', '=', ctx.tenantId)
    .where('key', '=', key)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `No workflow with key ${key}.`);
  if (row.paused === paused) return { changed: false };
  await tx
    .updateTable('workflows')
    .set({ paused, updated_at: sql`now()` })
    .where('id', '=', row.id)
    .execute();
  await recordAudit({
    db: tx,
    ctx,
    entry: {
      action: paused ? 'workflow.paused' : 'workflow.unpaused',
      targetType: 'workflow',
      targetId: key,
      data: reason ? { reason } : {},
    },
  });
  if (!paused) await sendHeldRuns(tx, { id: row.id, tenantId: ctx.tenantId, key });
  forgetWorkflowPaused(row.id);
  return { changed: true };
}

/**
 * The workflow's oldest runs claimed before and still QUEUED (held while it was paused), as a
 * query. By tenant, key and status (runs_tenant_workflow_status_created_idx, oldest first): no
 * index of QUEUED runs by workflow id is kept, since every run's insert and claim paid an entry
 * in it for this and the alerts' look alone (migration 20270108000100).
 */
export function heldRunsToResume(db: DbOrTx, workflow: { id: string; tenantId: string; key: string }) {
  return db
    .selectFrom('runs')
    .select('id')
    .where('tenant_id', '=', workflow.tenantId)
    .where('workflow_key', '=', workflow.key)
    .where('status', '=', 'QUEUED')
    .where('workflow_id', '=', workflow.id)
    .where('fence', '>', '0')
    .orderBy('created_at')
    .limit(RESUME_SEND);
}

async function sendHeldRuns(db: DbOrTx, workflow: { id: string; tenantId: string; key: string }): Promise<void> {
  const held = await heldRunsToResume(db, workflow).execute();
  for (const run of held) await enqueueAdvance({ db, runId: run.id });
}
