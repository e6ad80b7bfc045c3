import 'server-only';
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '@/server/db/database';
import { wakeRun } from '@/server/runtime/run-store/wake-run';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';
import { lockRunRow } from '@/server/runtime/run-store/lock-run-row';
import { notifyTasksChanged } from '@/server/tasks/tasks-changed';
import { oncePerAlias } from '@/server/runtime/run-store/once-per-alias';

export type TEndedRun = {
  id: string;
  parentRunId: string | null;
  workflowId: string;
  status: 'SUCCEEDED' | 'FAILED' | 'CANCELED';
  output: unknown;
  error: unknown;
};

/**
 * What follows a run reaching a terminal status, whoever ended it (its worker's finish, or an
 * operator's cancel of a run nobody holds): its open work is closed (children asked to cancel),
 * a run held QUEUED by the workflow's limits gets the freed slot, and a waiting parent gets the
 * result. `mayHaveOpenWork: false` skips the close for a run that never created a wait.
 */
export async function afterRunEnded(
  tx: Tx,
  run: TEndedRun,
  { mayHaveOpenWork = true, admitNext = true }: { mayHaveOpenWork?: boolean; admitNext?: boolean } = {},
): Promise<void> {
  if (mayHaveOpenWork) await closeOpenWork(tx, run.id);
  if (admitNext) await admitNextQueued(tx, run.workflowId);
  if (run.parentRunId)
    await resolveParentWait(tx, run.id, run.parentRunId, {
      runId: run.id,
      status: run.status,
      output: run.output,
      error: run.error,
    });
}

/**
 * A finished run has nothing left to wait for: its open waits and tasks are closed, and so are
 * the records of steps still WAITING on them (a parallel branch waiting when another failed),
 * which would otherwise show as waiting forever in a finished run.
 */
export async function closeOpenWork(tx: Tx, runId: string): Promise<void> {
  const closed = await tx
    .updateTable('run_waits')
    .set({ status: 'canceled', resolved_at: sql`now()` })
    .where('run_id', '=', runId)
    .where('status', '=', 'open')
    .returning(['kind', 'child_run_id'])
    .execute();
  // A child run still going when its parent ends would work for nobody: it is canceled too
  // (and its own children in turn, when it ends).
  const children = closed.flatMap((wait) => (wait.kind === 'child' && wait.child_run_id ? [wait.child_run_id] : []));
  if (children.length) await cancelChildren(tx, children);
  const canceledTasks = await tx
    .updateTable('tasks')
    .set({ status: 'canceled' })
    .where('run_id', '=', runId)
    .where('status', '=', 'open')
    .returning('tenant_id')
    .execute();
  // The inbox badges of the tenant count one task fewer (tasks-changed: one NOTIFY per commit is enough).
  if (canceledTasks[0]) await notifyTasksChanged(tx, canceledTasks[0].tenant_id);
  await tx
    .updateTable('run_steps')
    .set({
      status: 'CANCELED',
      completed_at: sql`now()`,
      duration_ms: sql<number>`(extract(epoch from (now() - started_at)) * 1000)::int`,
    })
    .where('run_id', '=', runId)
    .where('status', '=', 'WAITING')
    .execute();
}

/**
 * Asks each unfinished child run to cancel. The parent's transaction does not touch the
 * children's rows: a child finishing at this moment holds its own row and then locks the
 * parent's (resolveParentWait), so writing the child's row from here deadlocked the two. A
 * job with `cancel` does it instead: the worker that takes it sets `cancel_requested` on the
 * child (if it has not ended), tells its holder, and claims it (a WAITING or PAUSED run too,
 * see runnable) to end it as CANCELED with its own open work closed.
 */
async function cancelChildren(tx: Tx, childIds: string[]): Promise<void> {
  for (const childId of childIds) await enqueueAdvance({ db: tx, runId: childId, cancel: true });
}

/** Hands a finished child run's result to the parent's waiting callWorkflow step and wakes the parent. */
export async function resolveParentWait(tx: Tx, childId: string, parentId: string, result: unknown): Promise<void> {
  // Child row (already held by the caller), then the parent's row, then its wait.
  await lockRunRow(tx, parentId);
  const resolved = await tx
    .updateTable('run_waits')
    .set({ status: 'resolved', payload: JSON.stringify(result), resolved_at: sql`now()` })
    .where('run_id', '=', parentId)
    .where('child_run_id', '=', childId)
    .where('status', '=', 'open')
    .returning('run_id')
    .executeTakeFirst();
  if (resolved) await wakeRun({ db: tx, runId: parentId, reason: `child run ${childId} finished` });
}

/**
 * A run of the workflow finished: the oldest run held QUEUED by its limits (if any) gets a job
 * to try again. Held means claimed before and handed back by admission (`fence > 0`); a run
 * never claimed still has its first job coming. A held run being admitted right now (leased)
 * gets the job too: it finds the lease live and leaves `wake_requested`, so that admission is
 * decided again instead of the freed slot going unnoticed. Admission itself sends the next
 * held run a job while slots remain (admitRun), so several runs finishing at once fill every slot.
 */
export async function admitNextQueued(tx: Tx, workflowId: string): Promise<void> {
  const next = (await oldestHeldRun(workflowId, null).execute(tx)).rows[0];
  if (next) await enqueueAdvance({ db: tx, runId: next.id });
}

/**
 * The oldest run of the workflow held QUEUED by its limits (claimed before: `fence > 0`), other
 * than `except`, as a query; also a CTE of a finishing run's commit (commitBatch), so every
 * finishing run pays for it. Two index probes, whatever the workflow's backlog: the runs handed
 * back by admission (no lease) from `runs_held_idx`, the runs being admitted now (leased) from
 * `runs_leased_idx` (no more than the workers have in hand); the older of the two. As one
 * condition over `runs_queued_idx` it walked every QUEUED run of the workflow, the never-claimed
 * backlog included, on every finish: 1,000 queued runs cost each finish ~1 ms of PostgreSQL.
 * The second probe is skipped whole (workflowMayHoldRuns) for a workflow nothing can hold.
 */
export function oldestHeldRun(workflowId: string, except: string | null): RawBuilder<{ id: string }> {
  const notExcept = except ? sql`AND q.id <> ${except}` : sql``;
  return sql<{ id: string }>`SELECT h.id FROM (
      (SELECT q.id, q.created_at FROM runs q
        WHERE q.workflow_id = ${workflowId} AND q.status = 'QUEUED' AND q.fence > 0 AND q.lease_owner IS NULL ${notExcept}
        ORDER BY q.created_at LIMIT 1)
      UNION ALL
      (SELECT q.id, q.created_at FROM runs q
        WHERE q.lease_owner IS NOT NULL AND q.workflow_id = ${workflowId} AND q.status = 'QUEUED' AND q.fence > 0
          AND ${workflowMayHoldRuns(workflowId)} AND ${mayWaitForSlot('q')} ${notExcept}
        ORDER BY q.created_at LIMIT 1)
    ) h ORDER BY h.created_at LIMIT 1`;
}

/**
 * Whether a QUEUED run claimed before (`fence > 0`), the runs row aliased `alias`, may be
 * waiting for a slot: handed back by admission (no lease), or being admitted now (leased, and
 * its version, tenant or workflow has what admission decides on: advanceClaimed's `limited`).
 * A leased run of a version without limits is in its first pass: it turns RUNNING at its
 * first commit and no freed slot concerns it. Every finishing run used to send such a run a
 * job (the oldest of its workflow's runs in hand), which then found the run held, or ended:
 * one wasted job per finish while several runs of a workflow were in hand.
 */
export const mayWaitForSlot: (alias: string) => RawBuilder<boolean> = oncePerAlias((alias) => {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  // has_run_limits is the document's settings kept in a column (migration 20261229000100):
  // reading them from the json document parsed it whole for every candidate row.
  return sql<boolean>`(
    ${column('lease_owner')} IS NULL
    OR EXISTS (SELECT 1 FROM workflow_versions v WHERE v.id = ${column('version_id')} AND v.has_run_limits)
    OR EXISTS (SELECT 1 FROM tenants t WHERE t.id = ${column('tenant_id')} AND (t.max_concurrent_runs > 0 OR t.runs_per_minute > 0))
    OR EXISTS (SELECT 1 FROM workflows w WHERE w.id = ${column('workflow_id')} AND w.paused)
  )`;
});

/**
 * Whether anything could hold a run of the workflow: a version of it with limits, its tenant's
 * limits, or the workflow paused. Uncorrelated, so PostgreSQL decides it once per statement (a
 * one-time filter, three index probes) before the scan it guards. mayWaitForSlot of a leased run
 * of the workflow implies it (the run's version is one of the workflow's, its tenant the
 * workflow's), so it changes no answer: it skips the walk of the workflow's leased QUEUED runs,
 * each checked for all three, that every finishing run of an unlimited workflow paid for
 * (61 buffer hits per finish with 16 runs in hand).
 */
function workflowMayHoldRuns(workflowId: string): RawBuilder<boolean> {
  // Two uncorrelated EXISTS, each a probe by the workflow's id: the versions' one inside the
  // other's OR would be correlated, which PostgreSQL turns into a hashed scan of every limited
  // version of every workflow.
  return sql<boolean>`(EXISTS (SELECT 1 FROM workflow_versions v WHERE v.workflow_id = ${workflowId} AND v.has_run_limits)
    OR EXISTS (SELECT 1 FROM workflows w JOIN tenants t ON t.id = w.tenant_id
                WHERE w.id = ${workflowId} AND (w.paused OR t.max_concurrent_runs > 0 OR t.runs_per_minute > 0)))`;
}

/** The step path of a run's `settings.timeoutMs` wait. */
export const RUN_TIMEOUT_PATH = '$run.timeout';

/**
 * `settings.timeoutMs`: a timer wait due at the deadline. It wakes a WAITING run then (the
 * claim takes a run with a due wait), and the advance fails it with TIMEOUT; a run that
 * finishes first closes it with its other open work.
 */
export async function scheduleRunTimeout(
  tx: Tx,
  run: { id: string; tenant_id: string },
  deadline: Date,
): Promise<void> {
  await tx
    .insertInto('run_waits')
    .values({
      id: crypto.randomUUID(),
      run_id: run.id,
      tenant_id: run.tenant_id,
      step_path: RUN_TIMEOUT_PATH,
      kind: 'timer',
      status: 'open',
      resume_at: deadline,
    })
    .execute();
  await enqueueAdvance({ db: tx, runId: run.id, startAfter: deadline });
}
