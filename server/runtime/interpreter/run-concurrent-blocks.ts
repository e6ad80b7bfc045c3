import 'server-only';
import { AppError } from '@/model/errors';
import { toStorableJson } from '@/server/db/storable-json';
import type { TBlockState, TScope } from '@/server/runtime/execution/execution-state';
import { readBlockResults, type TIterationEnd } from '@/server/runtime/execution/read-block-results';
import { applyAssignment } from '@/server/runtime/interpreter/apply-assignments';
import { copyScope, enterBlock, pipeAt, recordBlock } from '@/server/runtime/interpreter/run-blocks';
import type { TBlockHost, TPipeOutcome, TStepFrame, TStepOutcome } from '@/server/runtime/interpreter/run-types';
import type { TRunError } from '@/model/definition/envelope';
import type { TStep } from '@/model/definition/step';

type TForEachConfig = {
  steps: TStep[];
  concurrency: number;
  onItemError: 'fail' | 'continue';
  collect?: unknown;
  saveAs?: string;
};
type TParallelConfig = { branches: Array<{ id: string; steps: TStep[]; result?: unknown }>; saveAs?: string };
type TForEachState = Extract<TBlockState, { kind: 'forEach' }>;

/** Of several branches' outcomes, the one the block reports: a failure first, then a stop. */
function combine(outcomes: TPipeOutcome[]): TPipeOutcome {
  return (
    outcomes.find((o) => o.kind === 'failed') ??
    outcomes.find((o) => o.kind === 'returned') ??
    outcomes.find((o) => o.kind === 'canceled') ??
    outcomes.find((o) => o.kind === 'suspended') ??
    outcomes.find((o) => o.kind === 'paused') ?? { kind: 'completed' }
  );
}

/**
 * Evaluates a `collect`/`result` expression over a finished iteration or branch; default: its
 * vars. A failing expression is the block's error (named as the block, like any expression of
 * its config), never an exception out of the interpreter.
 */
async function resultOf(
  interpreter: TBlockHost,
  frame: TStepFrame,
  scope: TScope,
  expression: unknown,
  at: string,
  bindings: TStepFrame['bindings'],
): Promise<{ value: unknown } | { error: TRunError }> {
  if (expression === undefined) return { value: scope.vars };
  const inner: TStepFrame = { ...frame, scope, bindings };
  try {
    const value = await interpreter.executeArgs(inner, 1, interpreter.deps.signal).resolve(expression, at);
    // Kept in the stored execution and the block's record: jsonb refuses NUL and very deep values.
    const storable = toStorableJson(value, { root: at });
    if (!storable.ok)
      return {
        error: {
          code: 'VALIDATION',
          message: `Step "${frame.step.id}": ${storable.message}`,
          stepId: frame.step.id,
          stepPath: frame.path,
        },
      };
    return { value: storable.value };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return {
      error: {
        code: error.code,
        message: error.message,
        stepId: frame.step.id,
        stepPath: frame.path,
        ...(error.details === undefined ? {} : { details: error.details }),
      },
    };
  }
}

/**
 * The lanes of one block (forEach iterations, parallel branches), run to the end however they
 * end. A lane that throws (a database error, a bug: nothing a step can describe) halts the
 * interpreter, so the others stop before their next step, and the error is rethrown only once
 * every lane has settled. With Promise.all the pass ended at the first throw while the other
 * lanes went on calling actions, under a lease still held, for a pass already given up.
 */
class Lanes {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly interpreter: TBlockHost) {}

  get broken(): boolean {
    return this.failure !== null;
  }

  launch(lane: () => Promise<void>): void {
    const running: Promise<void> = lane()
      .catch((error: unknown) => {
        this.failure ??= { error };
        this.interpreter.halt();
      })
      .finally(() => this.running.delete(running));
    this.running.add(running);
  }

  /** Waits for every lane, including those launched meanwhile; rethrows the first lane's error. */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
    if (this.failure) throw this.failure.error;
  }
}

/**
 * control.forEach: each item runs the nested pipe with its own copy of vars, up to
 * `concurrency` at a time; results are kept in item order and saved at `saveAs`.
 *
 * An iteration's result is stored once, as a row (run_block_results) written with the commit
 * that takes it out of `active`, and read back when the block finishes: kept in the execution,
 * which every commit writes whole, a loop of N calls wrote O(N²) bytes (SPEC §7.8). The rows
 * are deleted by the commit that records the block's success, since its record and `saveAs`
 * hold them from then on (kept, they would be stored twice more, and a forEach that a retry
 * runs again would meet its first run's rows). A failed block keeps them: an operator's retry
 * resumes it.
 */
export async function runForEach(interpreter: TBlockHost, frame: TStepFrame): Promise<TStepOutcome> {
  const config = frame.config as TForEachConfig;
  const { writer } = interpreter.deps;
  if (!frame.cursor.block) {
    const startedAt = new Date().toISOString();
    const result = await enterBlock(interpreter, frame);
    if (result.kind === 'fail') {
      const error: TRunError = {
        code: result.error.code,
        message: result.error.message,
        stepId: frame.step.id,
        stepPath: frame.path,
      };
      recordBlock(interpreter, frame, startedAt, { error });
      return { kind: 'failed', error };
    }
    if (result.kind !== 'iterate') throw new AppError('INTERNAL', 'control.forEach did not give items.');
    frame.cursor.block = { kind: 'forEach', startedAt, items: result.items, next: 0, active: [] };
  }
  const block = frame.cursor.block as TForEachState;
  const steps = pipeAt(frame, 'steps');
  /** Iterations that ended in this pass; those that ended before are rows, read at the end. */
  const ended = new Map<number, TIterationEnd>();
  const endIteration = (index: number, end: TIterationEnd) => {
    ended.set(index, end);
    writer.blockResult({
      blockPath: frame.path,
      itemIndex: index,
      result: 'result' in end ? end.result : null,
      failure: 'failure' in end ? end.failure : null,
    });
  };
  moveInlineResults(block, endIteration);
  // What ends intake: a failure (unless onItemError continues), a return, a cancel, a pause.
  // An iteration that waits is not one: it keeps its slot in `active`, and the other slots go
  // on taking items (SPEC §7.7, the window stays full).
  const stops: TPipeOutcome[] = [];
  let failed = false;
  const lanes = new Lanes(interpreter);

  const runSlot = async (slot: TForEachState['active'][number]) => {
    const bindings = { item: block.items[slot.index], index: slot.index };
    let outcome = await interpreter.runPipe(
      steps,
      slot.cursor,
      slot.scope,
      `${frame.path}#${slot.index}.config.steps`,
      bindings,
    );
    let collected: unknown = null;
    if (outcome.kind === 'completed') {
      // An item whose result cannot be collected has failed, with onItemError deciding what follows.
      const result = await resultOf(interpreter, frame, slot.scope, config.collect, 'collect', bindings);
      if ('error' in result) outcome = { kind: 'failed', error: result.error };
      else collected = result.value;
    }
    if (outcome.kind === 'completed' || (outcome.kind === 'failed' && config.onItemError === 'continue')) {
      // One synchronous stretch: a commit has the row and the slot gone from `active`, or neither.
      endIteration(slot.index, outcome.kind === 'completed' ? { result: collected } : { failure: outcome.error });
      block.active.splice(block.active.indexOf(slot), 1);
      // Nothing runs the ended iteration's steps again (a retry re-running a finally reads
      // their attempts back, restoreAttempts): the counts its passing steps left (a failed
      // step under onItemError continue) would grow `attempts` with every item.
      forgetAttempts(interpreter.deps.execution.attempts, `${frame.path}#${slot.index}.`);
      fill();
      return;
    }
    if (outcome.kind === 'suspended') return;
    if (outcome.kind === 'failed') failed = true;
    stops.push(outcome);
  };
  /** Starts items while the window has room and nothing has stopped the block. */
  const fill = () => {
    while (
      stops.length === 0 &&
      !lanes.broken &&
      block.next < block.items.length &&
      block.active.length < config.concurrency
    ) {
      const slot = { index: block.next, scope: copyScope(frame.scope), cursor: { index: 0 } };
      block.next += 1;
      block.active.push(slot);
      lanes.launch(() => runSlot(slot));
    }
  };
  // Iterations already in flight (a resumed run) continue, each in its own lane; free slots fill.
  for (const slot of [...block.active]) lanes.launch(() => runSlot(slot));
  fill();
  await lanes.settle();

  if (stops.length > 0) {
    const outcome = combine(stops);
    if (failed && outcome.kind === 'failed') recordBlock(interpreter, frame, block.startedAt, { error: outcome.error });
    // A control.return in an iteration ends the block (successfully) along with the run.
    if (outcome.kind === 'returned') {
      const results = await resultsInOrder(interpreter, frame, block, ended);
      recordBlock(interpreter, frame, block.startedAt, { output: results });
      writer.endBlock(frame.path);
    }
    return outcome as TStepOutcome;
  }
  // Every iteration still in `active` waits; the run resumes here when one of them can go on.
  if (block.active.length > 0) return { kind: 'suspended' };
  const results = await resultsInOrder(interpreter, frame, block, ended);
  // From here to passStep in one synchronous stretch: the block's record, its rows' deletion
  // and the cursor past it are committed together.
  if (config.saveAs) applyAssignment(frame.scope.vars, config.saveAs, results);
  // The collected results, in item order, as the node's outputSchema declares.
  recordBlock(interpreter, frame, block.startedAt, { output: results });
  writer.endBlock(frame.path);
  interpreter.passStep(frame.cursor, frame.path);
  return { kind: 'next' };
}

/**
 * An execution saved before format 3 keeps the ended iterations' results in the block: they
 * become rows in the next commit, which saves the block without them (so it stops growing).
 */
function moveInlineResults(block: TForEachState, endIteration: (index: number, end: TIterationEnd) => void): void {
  if (!block.results && !block.failures) return;
  const active = new Set(block.active.map((slot) => slot.index));
  for (let index = 0; index < block.next; index++) {
    if (active.has(index)) continue;
    const failure = block.failures?.[index] ?? null;
    endIteration(index, failure ? { failure } : { result: block.results?.[index] ?? null });
  }
  delete block.results;
  delete block.failures;
}

/**
 * The block's results in item order: an iteration that failed (onItemError continue) or never
 * ran (a return ended the block) is null. Those that ended in an earlier pass are read back.
 */
async function resultsInOrder(
  interpreter: TBlockHost,
  frame: TStepFrame,
  block: TForEachState,
  ended: Map<number, TIterationEnd>,
): Promise<unknown[]> {
  const active = new Set(block.active.map((slot) => slot.index));
  const endedBefore = (index: number) => index < block.next && !active.has(index) && !ended.has(index);
  const stored = block.items.some((_, index) => endedBefore(index))
    ? await readBlockResults({ db: interpreter.deps.db, run: interpreter.deps.run, blockPath: frame.path })
    : new Map<number, TIterationEnd>();
  return block.items.map((_, index) => {
    const end = ended.get(index) ?? stored.get(index);
    if (!end && endedBefore(index))
      throw new AppError(
        'INTERNAL',
        `Step "${frame.step.id}": the result of item ${index}, which ended in an earlier pass, is not stored.`,
      );
    return end && 'result' in end ? end.result : null;
  });
}

/** Drops the attempt counts of every step path under `prefix` (one ended iteration). */
function forgetAttempts(attempts: Record<string, number>, prefix: string): void {
  for (const path of Object.keys(attempts)) if (path.startsWith(prefix)) delete attempts[path];
}

/** control.parallel: every branch runs at once on its own copy of vars; `{branchId: result}` is saved. */
export async function runParallel(interpreter: TBlockHost, frame: TStepFrame): Promise<TStepOutcome> {
  const config = frame.config as TParallelConfig;
  if (!frame.cursor.block) {
    await enterBlock(interpreter, frame);
    frame.cursor.block = {
      kind: 'parallel',
      startedAt: new Date().toISOString(),
      branches: config.branches.map((branch) => ({
        id: branch.id,
        scope: copyScope(frame.scope),
        cursor: { index: 0 },
        done: false,
        result: null,
      })),
    };
  }
  const block = frame.cursor.block;
  if (block.kind !== 'parallel')
    throw new AppError('INTERNAL', `Step "${frame.step.id}" resumed with a ${block.kind} state.`);
  const outcomes: TPipeOutcome[] = block.branches.map(() => ({ kind: 'completed' }));
  const lanes = new Lanes(interpreter);
  block.branches.forEach((state, index) => {
    if (state.done) return;
    const branch = config.branches[index]!;
    lanes.launch(async () => {
      const outcome = await interpreter.runPipe(
        branch.steps,
        state.cursor,
        state.scope,
        `${frame.path}.config.branches[${index}].steps`,
        frame.bindings,
      );
      outcomes[index] = outcome;
      if (outcome.kind !== 'completed') return;
      const result = await resultOf(
        interpreter,
        frame,
        state.scope,
        branch.result,
        `branches[${index}].result`,
        frame.bindings,
      );
      if ('error' in result) {
        outcomes[index] = { kind: 'failed', error: result.error };
        return;
      }
      state.result = result.value;
      state.done = true;
    });
  });
  await lanes.settle();
  const outcome = combine(outcomes);
  const results = Object.fromEntries(block.branches.map((state) => [state.id, state.result]));
  if (outcome.kind === 'failed') recordBlock(interpreter, frame, block.startedAt, { error: outcome.error });
  // A control.return in a branch ends the block (successfully) along with the run.
  if (outcome.kind === 'returned') recordBlock(interpreter, frame, block.startedAt, { output: results });
  if (outcome.kind !== 'completed') return outcome as TStepOutcome;
  if (config.saveAs) applyAssignment(frame.scope.vars, config.saveAs, results);
  recordBlock(interpreter, frame, block.startedAt, { output: results });
  interpreter.passStep(frame.cursor, frame.path);
  return { kind: 'next' };
}
