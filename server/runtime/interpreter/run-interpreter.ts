import 'server-only';
import type { z } from 'zod';
import { AppError } from '@/model/errors';
import { LeaseLostError } from '@/server/runtime/interpreter/run-writer';
import { faultPoint } from '@/server/runtime/fault-points';
import { getNodeDescriptor } from '@/server/runtime/nodes';
import { StepFailure, type TNodeExecuteArgs, type TNodeResult } from '@/server/runtime/nodes/node-result';
import type { TPipeCursor, TScope } from '@/server/runtime/execution/execution-state';
import type { TStep } from '@/model/definition/step';
import type { TEnvelope, TRunError } from '@/model/definition/envelope';
import { maskSecrets, SecretMask } from '@/server/runtime/interpreter/mask-secrets';
import { capSnapshot, redactEnvelope } from '@/server/runtime/interpreter/redact-snapshot';
import { storedSnapshot } from '@/server/runtime/run-store/stored-snapshot';
import { checkWait } from '@/server/runtime/run-store/wait-store';
import { BLOCK_RUNNERS } from '@/server/runtime/interpreter/block-runners';
import { isBlockType } from '@/model/nodes/node-shapes';
import { settleLeaf } from '@/server/runtime/interpreter/settle-leaf';
import { callsOutside, createStepTools } from '@/server/runtime/interpreter/step-tools';
import type {
  TBindings,
  TBlockHost,
  TLeafHost,
  TInterpreterDeps,
  TPipeOutcome,
  TStepFrame,
  TStepOutcome,
} from '@/server/runtime/interpreter/run-types';

/**
 * A step's config parsed with its node's schema, once per step object. Published documents are
 * cached per process and never change (load-run-version.ts), so every run and every loop
 * iteration of a version parsed the same config again: the largest zod cost of a pure step.
 * Frozen, since one object now serves every run; a test run's document is parsed per pass and
 * its steps are new objects, so they are parsed per pass.
 */
const parsedConfigs = new WeakMap<TStep, z.SafeParseReturnType<unknown, unknown>>();

export function parsedConfigOf(step: TStep, schema: z.ZodType<unknown>): z.SafeParseReturnType<unknown, unknown> {
  const cached = parsedConfigs.get(step);
  if (cached) return cached;
  const parsed = schema.safeParse(step.config);
  if (parsed.success && typeof parsed.data === 'object' && parsed.data !== null) Object.freeze(parsed.data);
  parsedConfigs.set(step, parsed);
  return parsed;
}

/** Pure steps are committed in batches; past this many pending records the batch is written. */
const MAX_PENDING_STEPS = 100;

/**
 * Walks a published definition from the run's saved position, one step at a time, and
 * records each step through the writer. It never writes the database itself.
 */
export class RunInterpreter implements TBlockHost, TLeafHost {
  readonly secrets = new SecretMask();
  state: string | null;
  /** Set when a concurrent lane threw: the pass is lost, so the other lanes stop at their next step. */
  private halted = false;

  constructor(readonly deps: TInterpreterDeps) {
    this.state = deps.state;
  }

  run(): Promise<TPipeOutcome> {
    // A control.return whose record another lane's batch committed before the run's last one.
    const returned = this.deps.execution.returned;
    if (returned) return Promise.resolve({ kind: 'returned', output: returned.output });
    return this.runPipe(
      this.deps.document.steps,
      this.deps.execution.cursor,
      this.deps.execution.scope,
      'steps',
      undefined,
    );
  }

  async runPipe(
    steps: readonly TStep[],
    cursor: TPipeCursor,
    scope: TScope,
    base: string,
    bindings: TBindings,
  ): Promise<TPipeOutcome> {
    while (cursor.index < steps.length) {
      // A halted pass is thrown away by the lane that halted it; 'canceled' only ends this lane.
      if (this.deps.signal.aborted || this.halted) return { kind: 'canceled' };
      // "pause stops a run after its current step": only between steps, never inside one.
      if (!cursor.block && this.deps.pauseRequested()) return { kind: 'paused' };
      const step = steps[cursor.index]!;
      const path = `${base}[${cursor.index}]`;
      const outcome = step.disabled
        ? this.skip(step, cursor, path)
        : await this.runStep(step, cursor, scope, path, bindings);
      if (outcome.kind === 'failed' && step.onError === 'continue') {
        scope.error = outcome.error;
        this.passStep(cursor, path);
      } else if (outcome.kind !== 'next') {
        return outcome;
      }
      // On `next` the step has already been passed, by whoever wrote its record (passStep).
      // A step's artifacts are written by the next commit, not carried along the pass: each can
      // be PIPEWRIGHT_ARTIFACT_MAX_BYTES of memory.
      if (this.deps.writer.pendingSteps >= MAX_PENDING_STEPS || this.deps.writer.pendingArtifactBytes > 0)
        await this.deps.writer.flush();
    }
    return { kind: 'completed' };
  }

  /**
   * Moves a pipe's cursor past its step. Called in the same synchronous stretch as the write of
   * the step's SUCCEEDED (or SKIPPED) record, never after an await: another lane's commit
   * serializes the execution at any await, and a batch holding the record with the cursor still
   * on the step made every later attempt run it again and break the one-success constraint.
   *
   * The step's attempt count goes with it: nothing runs a passed path again but an operator's
   * retry or migration, which read the numbers back from its records (restoreAttempts). Kept,
   * `execution.attempts` grew by a path per step and every commit wrote it whole.
   */
  passStep(cursor: TPipeCursor, path: string): void {
    cursor.index += 1;
    delete cursor.block;
    delete this.deps.execution.attempts[path];
  }

  /**
   * Saves that the run returned (execution.returned), in the same synchronous stretch as the
   * record that says so. Not yet inside a try or catch pipe: the block's finally still runs, and
   * may fail the run instead; the try block marks it once its finally is done (runTryCatch).
   */
  markReturned(path: string, output: unknown): void {
    if (/\.config\.(try|catch)\[/.test(path)) return;
    this.deps.execution.returned = { output };
  }

  /** Lane error: the pass is lost; the other lanes stop before their next step (see runPipe). */
  halt(): void {
    this.halted = true;
  }

  private skip(step: TStep, cursor: TPipeCursor, path: string): TStepOutcome {
    const now = new Date();
    this.deps.writer.startStep({
      stepId: step.id,
      path,
      type: step.type,
      attempt: 1,
      status: 'SKIPPED',
      input: null,
      output: null,
      error: null,
      startedAt: now,
      completedAt: now,
    });
    this.passStep(cursor, path);
    return { kind: 'next' };
  }

  private runStep(
    step: TStep,
    cursor: TPipeCursor,
    scope: TScope,
    path: string,
    bindings: TBindings,
  ): Promise<TStepOutcome> {
    const descriptor = getNodeDescriptor(step.type);
    if (!descriptor)
      throw new AppError(
        'INTERNAL',
        `Step "${step.id}" has type "${step.type}", which this version of Pipewright does not know.`,
      );
    const config = parsedConfigOf(step, descriptor.configSchema);
    // A version published before its node's schema was tightened: the step fails, clearly, where
    // a thrown ZodError crashed every pass until WORKER_CRASHED.
    if (!config.success) return Promise.resolve(this.refuseConfig(step, path, config.error));
    const frame: TStepFrame = { step, descriptor, config: config.data, cursor, scope, path, bindings };
    return isBlockType(step.type) ? BLOCK_RUNNERS[step.type](this, frame) : this.runLeaf(frame);
  }

  private refuseConfig(step: TStep, path: string, error: z.ZodError): TStepOutcome {
    const attempt = this.nextAttempt(path);
    const now = new Date();
    const problems = error.issues.map((issue) => `${['config', ...issue.path].join('.')}: ${issue.message}`).join('; ');
    const runError: TRunError = {
      code: 'VALIDATION',
      message: `Step "${step.id}" has a config this version of Pipewright refuses: ${problems}`,
      stepId: step.id,
      stepPath: path,
    };
    this.deps.writer.startStep({
      stepId: step.id,
      path,
      type: step.type,
      attempt,
      status: 'FAILED',
      input: null,
      output: null,
      error: runError,
      startedAt: now,
      completedAt: now,
    });
    this.deps.writer.event('step.failed', step.id, { path, attempt, code: runError.code, message: runError.message });
    return { kind: 'failed', error: runError };
  }

  /** The envelope expressions read at this point (SPEC §4.2). */
  envelope(frame: Pick<TStepFrame, 'step' | 'scope'>, attempt: number): TEnvelope {
    const { run, document } = this.deps;
    return {
      payload: run.input,
      vars: frame.scope.vars,
      env: document.env.vars,
      meta: {
        runId: run.id,
        workflowKey: run.workflowKey,
        version: run.version,
        tenantId: run.tenantId,
        startedAt: run.startedAt,
        trigger: run.trigger,
        stepId: frame.step.id,
        attempt,
        state: this.state,
      },
      error: frame.scope.error,
    };
  }

  nextAttempt(path: string): number {
    const attempt = (this.deps.execution.attempts[path] ?? 0) + 1;
    this.deps.execution.attempts[path] = attempt;
    return attempt;
  }

  executeArgs(frame: TStepFrame, attempt: number, signal: AbortSignal): TNodeExecuteArgs<unknown> {
    return {
      config: frame.config,
      step: frame.step,
      path: frame.path,
      attempt,
      envelope: this.envelope(frame, attempt),
      signal,
      ...createStepTools(this, frame, attempt, signal),
    };
  }

  /** Runs a node's execute (or resume), turning thrown errors into a described failure. */
  async describe(
    frame: TStepFrame,
    attempt: number,
    call: (args: TNodeExecuteArgs<unknown>) => Promise<TNodeResult>,
  ): Promise<TNodeResult> {
    // A step's own timeoutMs wins over the workflow's default (SPEC §9).
    const timeoutMs = frame.step.timeoutMs ?? this.deps.document.settings.defaultStepTimeoutMs;
    const timeout = timeoutMs ? AbortSignal.timeout(timeoutMs) : null;
    const signal = timeout ? AbortSignal.any([this.deps.signal, timeout]) : this.deps.signal;
    try {
      return await call(this.executeArgs(frame, attempt, signal));
    } catch (error) {
      if (error instanceof StepFailure) return { kind: 'fail', error: error.failure };
      // Not the step's failure: this worker may no longer write for the run at all.
      if (error instanceof LeaseLostError) throw error;
      if (timeout?.aborted)
        return {
          kind: 'fail',
          error: {
            code: 'TIMEOUT',
            message: `Step "${frame.step.id}" took longer than ${timeoutMs} ms`,
            retryable: true,
          },
        };
      if (error instanceof AppError) {
        const retryable = 'retryable' in error && typeof error.retryable === 'boolean' ? error.retryable : false;
        return { kind: 'fail', error: { code: error.code, message: error.message, details: error.details, retryable } };
      }
      throw error;
    }
  }

  private async runLeaf(frame: TStepFrame): Promise<TStepOutcome> {
    const { writer, db } = this.deps;
    const block = frame.cursor.block;
    if (block?.kind === 'wait') {
      const outcome = await checkWait({ db, waitId: block.waitId });
      if (outcome === 'open') return { kind: 'suspended' };
      delete frame.cursor.block;
      if (outcome !== 'restart' && !block.retry) {
        const resume = frame.descriptor.resume;
        if (!resume) throw new AppError('INTERNAL', `Step type ${frame.step.type} waited but cannot resume.`);
        const result = await this.describe(frame, block.attempt, (args) =>
          resume.call(frame.descriptor, { ...args, outcome }),
        );
        return settleLeaf(this, frame, block.attempt, block.recordId, new Date(block.startedAt), result);
      }
    }
    const attempt = this.nextAttempt(frame.path);
    const startedAt = new Date();
    const recordId = writer.startStep({
      stepId: frame.step.id,
      path: frame.path,
      type: frame.step.type,
      attempt,
      status: 'RUNNING',
      input: null,
      output: null,
      error: null,
      startedAt,
      completedAt: null,
    });
    writer.event('step.started', frame.step.id, { path: frame.path, attempt, type: frame.step.type });
    await faultPoint('step.beforeExecute', { runId: this.deps.run.id, stepId: frame.step.id });
    // A step that calls out must have its RUNNING record durable first: that commit starts now,
    // while the step resolves and checks its input, and callAction waits for it. A commit is
    // most of such a step's time; the worker's own work for it no longer adds to it.
    if (!this.deps.mockActions && !this.deps.dryRun && callsOutside(frame)) writer.flushAhead();
    const result = await this.describe(frame, attempt, (args) => frame.descriptor.execute(args));
    return settleLeaf(this, frame, attempt, recordId, startedAt, result);
  }

  /** The redacted, size-capped envelope after a step (SPEC §5). */
  snapshot(frame: Pick<TStepFrame, 'step' | 'scope' | 'path'>, attempt: number, recordId: string): void {
    const envelope = this.envelope(frame, attempt) as unknown as Record<string, unknown>;
    const redacted = maskSecrets(redactEnvelope(envelope, this.deps.document.settings.redact), this.secrets);
    const { snapshot, json, truncated, sizeBytes } = capSnapshot(redacted);
    // Stored without what it shares with its run (storedSnapshot); `sizeBytes` stays the whole one's.
    const stored = storedSnapshot(snapshot, truncated, this.deps.run);
    const storedJson = stored === snapshot ? json : JSON.stringify(stored);
    this.deps.writer.snapshot({ stepRecordId: recordId, json: storedJson, truncated, sizeBytes });
  }
}
