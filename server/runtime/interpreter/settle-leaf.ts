import 'server-only';
import { AppError } from '@/model/errors';
import { ZRetryPolicy, type TStep } from '@/model/definition/step';
import type { TRunError } from '@/model/definition/envelope';
import { toStorableJson } from '@/server/db/storable-json';
import type { TNodeResult, TStepError } from '@/server/runtime/nodes/node-result';
import { applyAssignments } from '@/server/runtime/interpreter/apply-assignments';
import { maskSecrets } from '@/server/runtime/interpreter/mask-secrets';
import { retryDelayMs } from '@/server/runtime/interpreter/retry-delay';
import type { TLeafHost, TStepFrame, TStepOutcome } from '@/server/runtime/interpreter/run-types';
import { createWait } from '@/server/runtime/run-store/wait-store';

/*
 * The second half of a leaf step, apart from the interpreter's walk over pipes: what a node's
 * described result means for the run (the step's record, its events and snapshot, vars and
 * state, a wait or a retry timer, a failure), as the block runners (block-runners.ts) are for blocks.
 */

/** Records what a leaf step's result means and moves the run on (or suspends it). */
export async function settleLeaf(
  interp: TLeafHost,
  frame: TStepFrame,
  attempt: number,
  recordId: string,
  startedAt: Date,
  described: TNodeResult,
): Promise<TStepOutcome> {
  const { writer, run } = interp.deps;
  const { step, path } = frame;
  // All of a result goes to jsonb or text (record, vars, snapshot, events, wait, state), which
  // refuse NUL, lone surrogates and very deep values; a refused commit crashed the pass and
  // re-ran the step on every recovery until WORKER_CRASHED. Such strings become U+FFFD.
  // The staged files are bytes, not JSON: kept apart, written only if the step succeeds.
  const { artifacts, ...describedJson } = described.kind === 'next' ? described : { ...described, artifacts: [] };
  const storable = toStorableJson(describedJson, { root: '' });
  if (!storable.ok)
    return failLeaf(
      interp,
      frame,
      attempt,
      recordId,
      { code: 'VALIDATION', message: `Step "${step.id}": ${storable.message}`, retryable: false },
      undefined,
    );
  const result = storable.value as TNodeResult;
  const input = 'input' in result ? maskSecrets(result.input ?? null, interp.secrets) : undefined;
  // A log step's line, a code step's console lines: events of the step, before its outcome's.
  if ((result.kind === 'next' || result.kind === 'fail') && result.logs) {
    for (const line of result.logs)
      writer.event('log', step.id, maskSecrets({ path, ...line }, interp.secrets) as Record<string, unknown>);
  }
  switch (result.kind) {
    case 'next':
    case 'return': {
      const output = maskSecrets(result.output ?? null, interp.secrets);
      if (result.kind === 'next') {
        try {
          applyAssignments(frame.scope.vars, result.assign ?? []);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          return failLeaf(
            interp,
            frame,
            attempt,
            recordId,
            {
              code: error.code,
              message: `Step "${step.id}": ${error.message}`,
              details: error.details,
              retryable: false,
            },
            input,
          );
        }
        if (result.state !== undefined) {
          interp.state = result.state;
          writer.patchRun({ state: result.state });
        }
      }
      for (const staged of artifacts ?? []) writer.artifact(staged);
      writer.finishStep(recordId, {
        status: 'SUCCEEDED',
        output,
        completedAt: new Date(),
        ...(input === undefined ? {} : { input }),
      });
      writer.event('step.succeeded', step.id, { path, attempt });
      interp.snapshot(frame, attempt, recordId);
      // In the same synchronous stretch as the record: see passStep.
      if (result.kind === 'next') interp.passStep(frame.cursor, path);
      else interp.markReturned(path, output);
      return result.kind === 'return' ? { kind: 'returned', output } : { kind: 'next' };
    }
    case 'wait': {
      if (interp.deps.dryRun) {
        const call = { stepId: step.id, path, wait: result.wait };
        const answer = interp.deps.dryRun.answerWait?.(call);
        const resume = frame.descriptor.resume;
        if (answer && resume) {
          const outcome = { kind: 'resolved' as const, payload: answer.payload };
          const resumed = await interp.describe(frame, attempt, (args) =>
            resume.call(frame.descriptor, { ...args, outcome }),
          );
          return settleLeaf(interp, frame, attempt, recordId, startedAt, resumed);
        }
        // Described, not created: a dry run writes nothing, starts no child run.
        interp.deps.dryRun.waits.push(call);
        writer.finishStep(recordId, { status: 'WAITING', ...(input === undefined ? {} : { input }) });
        return { kind: 'suspended' };
      }
      let waitId: string;
      try {
        waitId = await createWait({ writer, run, request: result.wait, stepId: step.id, stepPath: path });
      } catch (error) {
        // A child run that cannot start (input its parameterSchema refuses, a workflow archived
        // or never published) fails this step; thrown on, it crashed the worker's pass and the
        // run crash-looped until WORKER_CRASHED. Trying again would meet the same refusal.
        if (!(error instanceof AppError)) throw error;
        return failLeaf(
          interp,
          frame,
          attempt,
          recordId,
          { code: error.code, message: error.message, details: error.details, retryable: false },
          input,
        );
      }
      writer.finishStep(recordId, { status: 'WAITING', ...(input === undefined ? {} : { input }) });
      frame.cursor.block = {
        kind: 'wait',
        waitId,
        recordId,
        attempt,
        startedAt: startedAt.toISOString(),
        retry: false,
      };
      return { kind: 'suspended' };
    }
    case 'fail':
      return failLeaf(interp, frame, attempt, recordId, result.error, input);
    case 'branch':
    case 'iterate':
    case 'block':
      throw new AppError('INTERNAL', `Step type ${step.type} described a block result from a leaf.`);
  }
}

async function failLeaf(
  interp: TLeafHost,
  frame: TStepFrame,
  attempt: number,
  recordId: string,
  stepError: TStepError,
  input: unknown,
): Promise<TStepOutcome> {
  const { writer, run } = interp.deps;
  const { step, path } = frame;
  const error: TRunError = maskSecrets(
    {
      code: stepError.code,
      message: stepError.message,
      stepId: step.id,
      stepPath: path,
      ...(stepError.details === undefined ? {} : { details: stepError.details }),
    },
    interp.secrets,
  ) as TRunError;
  writer.finishStep(recordId, {
    status: 'FAILED',
    error,
    completedAt: new Date(),
    ...(input === undefined ? {} : { input }),
  });
  writer.event('step.failed', step.id, { path, attempt, code: error.code, message: error.message });
  const policy = ZRetryPolicy.parse(step.retry ?? defaultRetry(interp, step) ?? { maxAttempts: 1 });
  if (
    interp.deps.dryRun ||
    !stepError.retryable ||
    attempt >= policy.maxAttempts ||
    policy.nonRetryableCodes.includes(error.code)
  )
    return { kind: 'failed', error };
  // Backoff is a durable timer, never a sleep in the worker.
  const delayMs = retryDelayMs({ policy, nextAttempt: attempt + 1, retryAfterMs: stepError.retryAfterMs });
  const resumeAt = new Date(Date.now() + delayMs);
  const waitId = await createWait({
    writer,
    run,
    request: { kind: 'retry', resumeAt },
    stepId: step.id,
    stepPath: path,
  });
  writer.event('step.retry_scheduled', step.id, {
    path,
    attempt,
    nextAttempt: attempt + 1,
    delayMs,
    at: resumeAt.toISOString(),
  });
  frame.cursor.block = { kind: 'wait', waitId, recordId, attempt, startedAt: new Date().toISOString(), retry: true };
  return { kind: 'suspended' };
}

/** The workflow's retry policy for a step without its own: action calls only (SPEC §9). */
function defaultRetry(interp: TLeafHost, step: TStep): TStep['retry'] {
  return step.type === 'action.call' ? interp.deps.document.settings.defaultRetry : undefined;
}
