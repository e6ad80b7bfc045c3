import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import { wakeRun } from '@/server/runtime/wake-run';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';
import { notifyRunControl } from '@/server/runtime/run-control-listener';

/**
 * A finished run has nothing left to wait for: its open waits and tasks are closed, and so are
 * the records of steps still WAITING on them (a parallel branch waiting when another failed),
 * which would otherwise show as waiting forever in a finished run.
 */
export async function closeOpenWork(tx: Tx, runId: string): Promise<void> {
  const closed = await tx.updateTable('run_waits').set({ status: 'canceled', resolved_at: sql`now()` }).where('run_id', '=', runId).where('status', '=', 'open').returning(['kind', 'child_run_id']).execute();
  // A child run still going when its parent ends would work for nobody: it is canceled too
  // (and its own children in turn, when it ends).
  const children = closed.flatMap((wait) => (wait.kind === 'child' && wait.child_run_id ? [wait.child_run_id] : []));
  if (children.length) await cancelChildren(tx, children);
  await tx.updateTable('tasks').set({ status: 'canceled' }).where('run_id', '=', runId).where('status', '=', 'open').execute();
  await tx
    .updateTable('run_steps')
    .set({ status: 'CANCELED', completed_at: sql`now()`, duration_ms: sql<number>`(extract(epoch from (now() - started_at)) * 1000)::int` })
    .where('run_id', '=', runId)
    .where('status', '=', 'WAITING')
    .execute();
}

/**
 * Asks each unfinished child run to cancel, the way cancelRun asks a run a worker holds: the
 * request is a flag, and a job makes a worker claim the child (a WAITING or PAUSED run too,
 * see claimRun) and end it as CANCELED, with its own open work closed.
 */
async function cancelChildren(tx: Tx, childIds: string[]): Promise<void> {
  const pending = await tx
    .updateTable('runs')
    .set({ cancel_requested: true, wake_requested: true })
    .where('id', 'in', childIds)
    .where('status', 'in', ['QUEUED', 'RUNNING', 'WAITING', 'PAUSED'])
    .returning('id')
    .execute();
  for (const child of pending) await enqueueAdvance({ db: tx, runId: child.id });
  await notifyRunControl(tx, pending.map((child) => child.id));
}

/** Hands a finished child run's result to the parent's waiting callWorkflow step and wakes the parent. */
export async function resolveParentWait(tx: Tx, childId: string, parentId: string, result: unknown): Promise<void> {
  const resolved = await tx
    .updateTable('run_waits')
    .set({ status: 'resolved', payload: JSON.stringify(result), resolved_at: sql`now()` })
    .where('child_run_id', '=', childId)
    .where('status', '=', 'open')
    .returning('run_id')
    .executeTakeFirst();
  if (resolved) await wakeRun({ db: tx, runId: parentId, reason: `child run ${childId} finished` });
}

/**
 * A run of the workflow finished: the oldest run held QUEUED (if any) gets a job to try again.
 * Held means claimed before and handed back by admission (`fence > 0`, no lease); a run never
 * claimed still has its first job coming, and sending it a second one only doubles the work
 * (it did: every finish of a limit-free workflow sent a job to its oldest queued run).
 */
export async function admitNextQueued(tx: Tx, workflowId: string): Promise<void> {
  const next = await tx.selectFrom('runs').select('id').where('workflow_id', '=', workflowId).where('status', '=', 'QUEUED').where('lease_owner', 'is', null).where('fence', '>', '0').orderBy('created_at').limit(1).executeTakeFirst();
  if (next) await enqueueAdvance({ db: tx, runId: next.id });
}

/**
 * `settings.timeoutMs`: a timer wait due at the deadline. It wakes a WAITING run then (the
 * claim takes a run with a due wait), and the advance fails it with TIMEOUT; a run that
 * finishes first closes it with its other open work.
 */
export async function scheduleRunTimeout(tx: Tx, run: { id: string; tenant_id: string }, deadline: Date): Promise<void> {
  await tx.insertInto('run_waits').values({ id: crypto.randomUUID(), run_id: run.id, tenant_id: run.tenant_id, step_path: '$run.timeout', kind: 'timer', status: 'open', resume_at: deadline }).execute();
  await enqueueAdvance({ db: tx, runId: run.id, startAfter: deadline });
}
