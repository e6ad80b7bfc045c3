import 'server-only';
import type { Db } from '@/server/db/database';
import { ZExecution, type TExecution } from '@/server/runtime/execution/execution-state';
import { RunInterpreter } from '@/server/runtime/interpreter/run-interpreter';
import { LeaseLostError, RunWriter } from '@/server/runtime/interpreter/run-writer';
import type { TPipeOutcome } from '@/server/runtime/interpreter/run-types';
import { claimRun, type TClaimedRun } from '@/server/runtime/run-store/claim-run';
import type { LeaseKeeper, TLeaseControls } from '@/server/runtime/run-store/lease-keeper';
import { requestCancelFromParent } from '@/server/runtime/run-store/run-requests';
import { resolveConfigValue } from '@/server/runtime/expressions/resolve-config-value';
import { afterRunEnded, scheduleRunTimeout } from '@/server/runtime/run-store/end-run-effects';
import { admitRun, releaseHeld } from '@/server/runtime/run-store/admit-run';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';
import { ZTriggerRef, loadRunDocument } from '@/server/runtime/load-run-version';
import type { TRunError } from '@/model/definition/envelope';
import { faultPoint } from '@/server/runtime/fault-points';
import { toStorableJson } from '@/server/db/storable-json';
import { hasTenantLimits, loadTenantLimits } from '@/server/tenants/tenant-limits';
import { isWorkflowPaused } from '@/server/workflows/workflow-paused';
import { silentLogger, type Logger } from '@/server/logging/logger';

/** Errors a pass already wrote to the run's log (with its tenant bound): the caller need not again. */
const reported = new WeakSet<object>();
export function isReportedRunError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && reported.has(error);
}

/** A run whose worker died this many times in a row without progress is failed, not retried forever. */
export const MAX_RECOVERIES = 3;

/**
 * Advances one run as far as it can go: claim the lease, run the interpreter from the saved
 * position, record how it ended, release. Called by the worker for each "advance" job; a
 * run someone else holds is left alone. `onClaimed` is called once the first claim is decided,
 * so the caller can let go of the job while the run goes on.
 */
export async function advanceRun({
  db,
  runId,
  workerId,
  leases,
  logger = silentLogger,
  onClaimed,
  cancel,
  jobId,
}: {
  db: Db;
  runId: string;
  workerId: string;
  leases: LeaseKeeper;
  /** Bound to the worker by the caller; the run and its tenant are bound here once the run is claimed. */
  logger?: Logger;
  onClaimed?: () => void;
  cancel?: boolean;
  /** A job named by a notice and not fetched: the first claim takes it off the queue, or claims nothing. */
  jobId?: string;
}): Promise<void> {
  // A parent that ended asks its child to cancel through the job (see cancelChildren).
  if (cancel) await requestCancelFromParent({ db, runId });
  let woken = false;
  /** The fence of the last pass, when its release kept the lease for this worker to go on (woken). */
  let reclaimFence: string | undefined;
  let runLogger: Logger | null = null;
  for (let pass = 0; pass < 100; pass++) {
    if (pass > 0) await faultPoint('advance.beforeReclaim', { runId });
    const claimSentAt = performance.now();
    const claimed = await claimRun({
      db,
      runId,
      workerId,
      ...(pass === 0 && jobId ? { jobId } : {}),
      ...(reclaimFence ? { reclaimFence } : {}),
    });
    // From here the lease, not the job, keeps the run safe: a worker that dies now leaves an
    // expiring lease the reaper finds. Without a claim (someone else holds it) there is nothing to keep.
    if (pass === 0) onClaimed?.();
    if (!claimed) return;
    // One child per run, bound once its tenant is known (a pino child costs a rebinding of
    // every level; two per run were a tenth of a 1-step run's JavaScript in the worker).
    runLogger ??= logger.child({ runId, tenantId: claimed.row.tenant_id });
    const controls = leases.hold(claimed, claimSentAt);
    try {
      woken = await advanceClaimed({ db, claimed, controls, logger: runLogger, woken });
      if (!woken) {
        runLogger.debug('pass ended');
        return;
      }
      reclaimFence = claimed.fence;
    } catch (error) {
      if (error instanceof LeaseLostError) {
        runLogger.info(`run ${runId}: ${error.message}`);
        return;
      }
      if (typeof error === 'object' && error !== null) {
        runLogger.error({ err: error }, `run ${runId}: ${error instanceof Error ? error.message : String(error)}`);
        reported.add(error);
      }
      throw error;
    } finally {
      leases.drop(runId);
    }
  }
}

/** Returns true when the run was woken while suspending and should be advanced again at once. */
async function advanceClaimed({
  db,
  claimed,
  controls,
  logger,
  woken,
}: {
  db: Db;
  claimed: TClaimedRun;
  controls: TLeaseControls;
  logger: Logger;
  woken: boolean;
}): Promise<boolean> {
  let run = claimed.row;
  const document = await loadRunDocument({ db, run });
  const admittedNow = run.status === 'QUEUED';
  // QUEUED again after it ran (an operator's retry under limits): not a new start.
  const firstStart = admittedNow && !run.started_at;
  // Runs start as RUNNING in their first commit (below); a run whose version or tenant has
  // limits is first admitted under the tenant's and workflow's locks, in a transaction of its own.
  const tenantLimits = admittedNow ? await loadTenantLimits({ db, tenantId: run.tenant_id }) : null;
  // A paused workflow (an alert's pauseWorkflow, PATCH /workflows/{key}) holds its new runs at admission.
  const paused = admittedNow && (await isWorkflowPaused({ db, workflowId: run.workflow_id }));
  const limited =
    Boolean(document.settings.maxConcurrentRuns || document.settings.runsPerMinute) ||
    (tenantLimits !== null && hasTenantLimits(tenantLimits)) ||
    paused;
  // A run retried under limits waits QUEUED with its new deadline running (retryRun): once it
  // is due, the run fails with TIMEOUT whether or not a slot is free. Admitting it first would
  // take a slot only to fail at once, and holding it again left it QUEUED past its deadline.
  const execution = ZExecution.parse(run.execution);
  const heldDeadline = run.started_at ? runDeadline(execution, run.started_at, document.settings.timeoutMs) : null;
  const timedOutWhileHeld = admittedNow && heldDeadline !== null && heldDeadline.getTime() <= Date.now();
  if (admittedNow && limited && !timedOutWhileHeld) {
    const admission = await admitRun({
      db,
      run: { id: run.id, workflowId: run.workflow_id, tenantId: run.tenant_id },
      settings: document.settings,
      tenantLimits,
      fence: claimed.fence,
    });
    if (!admission.admitted) {
      const again = await releaseHeld({ db, runId: run.id, fence: claimed.fence });
      if (admission.retryAt) await enqueueAdvance({ db, runId: run.id, startAfter: admission.retryAt });
      return again;
    }
    await faultPoint('advance.afterAdmission', { runId: run.id });
    run = { ...run, status: 'RUNNING', started_at: admission.startedAt };
  }
  const writer = new RunWriter(
    db,
    { id: run.id, tenantId: run.tenant_id, fence: claimed.fence },
    () => execution,
    logger,
  );
  const startedAt = run.started_at ?? new Date();
  if (admittedNow && !limited && !timedOutWhileHeld) {
    // Nothing to decide: the run starts with its first write. A worker dying before that
    // write leaves it QUEUED with an expired lease, and the reaper sends it again.
    writer.patchRun({ status: 'RUNNING', ...(firstStart ? { startedAt } : {}) });
    if (firstStart) writer.event('run.started', null, {});
  }
  const deadline = runDeadline(execution, startedAt, document.settings.timeoutMs);
  if (deadline && firstStart && !limited) {
    // The timeout is a wait, closed with the run's other open work; committed with RUNNING.
    // (A limited run's is written by its admission.)
    writer.createdWaits = true;
    writer.also((tx) => scheduleRunTimeout(tx, run, deadline));
  }
  if (run.status === 'WAITING' && !claimed.cancelRequested) {
    writer.patchRun({ status: 'RUNNING' });
    writer.event('run.resumed', null, { reason: 'a timer came due' });
  } else if (woken && run.status === 'RUNNING' && !claimed.cancelRequested) {
    // The last pass logged run.waiting, but a wait was resolved before the release (an event
    // found by lookbackMs, a wake-up racing the suspend): the log says the run resumed. Not
    // when someone acted between the passes: a run paused meanwhile, now claimed only to be
    // canceled, was never resumed.
    writer.event('run.resumed', null, { reason: 'a wait was resolved as the run suspended' });
  }
  const facts = {
    id: run.id,
    tenantId: run.tenant_id,
    workflowKey: run.workflow_key,
    version: run.version,
    startedAt: startedAt.toISOString(),
    trigger: ZTriggerRef.parse(run.trigger),
    input: run.input,
  };
  // Its own signal, so that a deadline timer firing a millisecond before the clock says so is
  // still a TIMEOUT, not a cancel.
  const deadlineSignal = deadline ? AbortSignal.timeout(Math.max(0, deadline.getTime() - Date.now())) : null;
  const timedOut = () => deadline !== null && (deadlineSignal?.aborted === true || deadline.getTime() <= Date.now());
  // A PAUSED run is claimed for two things only (runnable): a cancel, or its due deadline. The
  // deadline's wait is due by the database's clock; this process's may lag a little behind it.
  const pausedPastDeadline = run.status === 'PAUSED' && !claimed.cancelRequested && deadline !== null;
  let outcome: TPipeOutcome;
  if (timedOut() || pausedPastDeadline) {
    outcome = { kind: 'failed', error: timeoutError(document.settings.timeoutMs) };
  } else if (claimed.recoveries > MAX_RECOVERIES) {
    const at = execution.cursor.index;
    outcome = {
      kind: 'failed',
      error: {
        code: 'WORKER_CRASHED',
        message: `The worker stopped ${claimed.recoveries} times in a row while running this run (near steps[${at}]); it was failed instead of retried again.`,
        stepId: null,
        stepPath: `steps[${at}]`,
      },
    };
  } else {
    // The run's own deadline aborts an in-flight action just as a cancel does.
    const signal = deadlineSignal ? AbortSignal.any([controls.abort.signal, deadlineSignal]) : controls.abort.signal;
    const interpreter = new RunInterpreter({
      db,
      writer,
      run: facts,
      document,
      execution,
      state: run.state,
      signal,
      pauseRequested: () => controls.pauseRequested,
      leaseValid: controls.leaseValid,
      ledger: claimed.ledger,
      mockActions: run.mock_actions,
    });
    outcome = await interpreter.run();
    if (outcome.kind === 'completed') outcome = await runOutput(interpreter, document.output);
  }
  if (controls.cancelRequested) outcome = { kind: 'canceled' };
  // Pause means "stop after the current step"; a run that just began waiting stops there too.
  else if (outcome.kind === 'suspended' && controls.pauseRequested) outcome = { kind: 'paused' };
  else if (timedOut() && outcome.kind !== 'returned' && outcome.kind !== 'failed')
    outcome = { kind: 'failed', error: timeoutError(document.settings.timeoutMs) };
  // A run that starts in this pass has never committed anything before, so it can have open
  // waits, tasks or WAITING steps only if this pass created a wait.
  const mayHaveOpenWork = !firstStart || writer.createdWaits;
  finish({
    writer,
    run: { id: run.id, parentRunId: run.parent_run_id, workflowId: run.workflow_id },
    outcome,
    mayHaveOpenWork,
  });
  writer.release();
  await writer.flush();
  if (outcome.kind === 'suspended' && writer.releasedAs === 'RUNNING') {
    logger.debug(`run ${run.id}: woken while suspending; continuing`);
    return true;
  }
  return false;
}

/** When `settings.timeoutMs` ends the run: from its start, or from an operator's retry (`execution.timeoutFrom`). */
function runDeadline(execution: TExecution, startedAt: Date, timeoutMs: number | undefined): Date | null {
  if (!timeoutMs) return null;
  const timeoutFrom = execution.timeoutFrom ? new Date(execution.timeoutFrom) : startedAt;
  return new Date(timeoutFrom.getTime() + timeoutMs);
}

const timeoutError = (timeoutMs: number | undefined): TRunError => ({
  code: 'TIMEOUT',
  message: `The run took longer than its timeout of ${timeoutMs} ms (settings.timeoutMs).`,
  stepId: null,
  stepPath: null,
});

/** The workflow's `output` expression over the final envelope, or the failure it caused. */
async function runOutput(interpreter: RunInterpreter, output: unknown): Promise<TPipeOutcome> {
  if (output === undefined) return { kind: 'returned', output: null };
  const frame = { step: { id: 'output' } as never, scope: interpreter.deps.execution.scope, path: 'output' };
  try {
    const value = await resolveConfigValue({ value: output, envelope: interpreter.envelope(frame, 1), path: 'output' });
    // The run's output is stored as jsonb, which refuses NUL and very deep values: a refused
    // commit re-ran the whole last pass on every recovery until WORKER_CRASHED.
    const storable = toStorableJson(value, { root: 'output' });
    if (!storable.ok)
      return {
        kind: 'failed',
        error: { code: 'VALIDATION', message: storable.message, stepId: null, stepPath: 'output' },
      };
    return { kind: 'returned', output: storable.value };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'failed', error: { code: 'EXPRESSION', message, stepId: null, stepPath: 'output' } };
  }
}

/** Records the run's status for how the interpreter stopped, and tells a parent run. */
function finish({
  writer,
  run,
  outcome,
  mayHaveOpenWork,
}: {
  writer: RunWriter;
  run: { id: string; parentRunId: string | null; workflowId: string };
  outcome: TPipeOutcome;
  mayHaveOpenWork: boolean;
}): void {
  const now = new Date();
  const terminal = (status: 'SUCCEEDED' | 'FAILED' | 'CANCELED', output: unknown, error: TRunError | null) => {
    writer.patchRun({ status, output, error, completedAt: now });
    writer.event(
      status === 'SUCCEEDED' ? 'run.succeeded' : status === 'FAILED' ? 'run.failed' : 'run.canceled',
      null,
      error ? { code: error.code, message: error.message } : {},
    );
    // The freed slot is handed on by the commit's own statement when nothing else rides along.
    writer.admitNextQueued(run.workflowId);
    if (mayHaveOpenWork || run.parentRunId)
      writer.also((tx) => afterRunEnded(tx, { ...run, status, output, error }, { mayHaveOpenWork, admitNext: false }));
  };
  switch (outcome.kind) {
    case 'returned':
      return terminal('SUCCEEDED', outcome.output, null);
    case 'completed':
      return terminal('SUCCEEDED', null, null);
    case 'failed':
      return terminal('FAILED', null, outcome.error);
    case 'canceled':
      return terminal('CANCELED', null, { code: 'CANCELED', message: 'The run was canceled.' });
    case 'suspended':
      writer.patchRun({ status: 'WAITING' });
      writer.event('run.waiting', null, {});
      return;
    case 'paused':
      writer.patchRun({ status: 'PAUSED' });
      writer.event('run.paused', null, {});
      return;
  }
}
