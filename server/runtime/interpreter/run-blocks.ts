import 'server-only';
import { AppError } from '@/model/errors';
import { pipesOfConfig } from '@/model/nodes/nested-pipes';
import type { TBlockState, TPipeCursor, TScope } from '@/server/runtime/execution/execution-state';
import type { TStep } from '@/model/definition/step';
import type { TBlockHost, TPipeOutcome, TStepFrame, TStepOutcome } from '@/server/runtime/interpreter/run-types';

/** The steps of the nested pipe at `pipePath` (e.g. `then`, `cases[1].steps`). */
export function pipeAt(frame: TStepFrame, pipePath: string): TStep[] {
  const pipe = pipesOfConfig(frame.step.type, frame.config).find((candidate) => candidate.path === pipePath);
  if (!pipe?.steps) throw new AppError('INTERNAL', `Step "${frame.step.id}" has no nested pipe "${pipePath}".`);
  return pipe.steps as TStep[];
}

/** Writes the block step's own record once it has finished (its nested steps have theirs). */
export function recordBlock(
  interpreter: TBlockHost,
  frame: TStepFrame,
  startedAt: string,
  outcome: { output: unknown } | { error: unknown },
): void {
  const { writer } = interpreter.deps;
  const attempt = interpreter.nextAttempt(frame.path);
  const failed = 'error' in outcome;
  const recordId = writer.startStep({
    stepId: frame.step.id,
    path: frame.path,
    type: frame.step.type,
    attempt,
    status: failed ? 'FAILED' : 'SUCCEEDED',
    input: null,
    output: failed ? null : outcome.output,
    error: failed ? outcome.error : null,
    startedAt: new Date(startedAt),
    completedAt: new Date(),
  });
  writer.event(failed ? 'step.failed' : 'step.succeeded', frame.step.id, { path: frame.path, attempt });
  if (!failed) interpreter.snapshot(frame, attempt, recordId);
}

/** Starts a block: its step.started event and whatever its node decides. */
export async function enterBlock(interpreter: TBlockHost, frame: TStepFrame) {
  interpreter.deps.writer.event('step.started', frame.step.id, { path: frame.path, type: frame.step.type });
  return interpreter.describe(frame, 1, (args) => frame.descriptor.execute(args));
}

/**
 * A nested outcome seen from the block: done → next step, failure → the block fails too.
 * A control.return inside ends the block successfully on the way out of the run, so the
 * block's step.started still gets its record.
 */
function finishWith(
  interpreter: TBlockHost,
  frame: TStepFrame,
  startedAt: string,
  outcome: TPipeOutcome,
  output: unknown,
): TStepOutcome {
  if (outcome.kind === 'completed' || outcome.kind === 'returned') {
    recordBlock(interpreter, frame, startedAt, { output });
    if (outcome.kind === 'returned') return outcome;
    interpreter.passStep(frame.cursor, frame.path);
    return { kind: 'next' };
  }
  if (outcome.kind === 'failed') recordBlock(interpreter, frame, startedAt, { error: outcome.error });
  return outcome;
}

/** control.if and control.switch: the node chooses a pipe (or none), which then runs. */
export async function runBranch(interpreter: TBlockHost, frame: TStepFrame): Promise<TStepOutcome> {
  let block = frame.cursor.block;
  if (!block) {
    const startedAt = new Date().toISOString();
    const result = await enterBlock(interpreter, frame);
    if (result.kind === 'fail') {
      const error = {
        code: result.error.code,
        message: result.error.message,
        stepId: frame.step.id,
        stepPath: frame.path,
      };
      recordBlock(interpreter, frame, startedAt, { error });
      return { kind: 'failed', error };
    }
    if (result.kind !== 'branch')
      throw new AppError('INTERNAL', `Step type ${frame.step.type} did not choose a branch.`);
    if (result.pipe === null) {
      recordBlock(interpreter, frame, startedAt, { output: result.output });
      interpreter.passStep(frame.cursor, frame.path);
      return { kind: 'next' };
    }
    block = frame.cursor.block = {
      kind: 'branch',
      startedAt,
      pipe: result.pipe,
      cursor: { index: 0 },
      output: result.output,
    };
  }
  if (block.kind !== 'branch')
    throw new AppError('INTERNAL', `Step "${frame.step.id}" resumed with a ${block.kind} state.`);
  const outcome = await interpreter.runPipe(
    pipeAt(frame, block.pipe),
    block.cursor,
    frame.scope,
    `${frame.path}.config.${block.pipe}`,
    frame.bindings,
  );
  // The node's output (if: `{branch}`, switch: `{matched}`), as its outputSchema declares.
  return finishWith(interpreter, frame, block.startedAt, outcome, block.output ?? { branch: block.pipe });
}

type TTryState = Extract<TBlockState, { kind: 'try' }>;

/** try → catch (with `error` set) → finally, then whatever try or catch left pending. */
export async function runTryCatch(interpreter: TBlockHost, frame: TStepFrame): Promise<TStepOutcome> {
  if (!frame.cursor.block) {
    await enterBlock(interpreter, frame);
    frame.cursor.block = {
      kind: 'try',
      startedAt: new Date().toISOString(),
      phase: 'try',
      cursor: { index: 0 },
      outerError: frame.scope.error,
      after: { type: 'continue' },
    };
  }
  const block = frame.cursor.block as TTryState;
  const moveTo = (phase: TTryState['phase'], after: TTryState['after']) => {
    block.phase = phase;
    block.cursor = { index: 0 } satisfies TPipeCursor;
    block.after = after;
  };
  for (;;) {
    const pipe =
      block.phase === 'finally' ? ((frame.config as { finally?: TStep[] }).finally ?? []) : pipeAt(frame, block.phase);
    const outcome = await interpreter.runPipe(
      pipe,
      block.cursor,
      frame.scope,
      `${frame.path}.config.${block.phase}`,
      frame.bindings,
    );
    if (outcome.kind === 'suspended' || outcome.kind === 'paused' || outcome.kind === 'canceled') return outcome;
    if (block.phase === 'try' && outcome.kind === 'failed') {
      frame.scope.error = outcome.error;
      block.caught = outcome.error;
      moveTo('catch', { type: 'continue' });
    } else if (block.phase !== 'finally') {
      // A failure finally will not handle: keep where it happened, for a retry to go back to. The
      // cursor and scope stand just before the failed step (a failed step changes neither; a
      // failed try block inside keeps its own failedAt for what its finally changed).
      if (outcome.kind === 'failed')
        block.failedAt = { phase: block.phase, cursor: structuredClone(block.cursor), scope: copyScope(frame.scope) };
      moveTo(
        'finally',
        outcome.kind === 'failed'
          ? { type: 'fail', error: outcome.error }
          : outcome.kind === 'returned'
            ? { type: 'return', output: outcome.output }
            : { type: 'continue' },
      );
    } else {
      // After finally, `error` is what it was before the block; a failure in finally wins.
      frame.scope.error = block.outerError;
      const after = block.after;
      const final: TPipeOutcome =
        outcome.kind !== 'completed'
          ? outcome
          : after.type === 'fail'
            ? { kind: 'failed', error: after.error }
            : after.type === 'return'
              ? { kind: 'returned', output: after.output }
              : { kind: 'completed' };
      if (final.kind === 'returned') interpreter.markReturned(frame.path, final.output);
      // The block's output is what its node type declares: the caught error, or null.
      return finishWith(interpreter, frame, block.startedAt, final, { error: block.caught ?? null });
    }
  }
}

/** A fresh scope for an iteration or branch: its own copy of vars (SPEC §4.3). */
export function copyScope(scope: TScope): TScope {
  return { vars: structuredClone(scope.vars), error: scope.error };
}
