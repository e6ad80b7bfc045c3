import 'server-only';
import { z } from 'zod';
import { AppError } from '@/model/errors';
import { ZRunError, type TRunError } from '@/model/definition/envelope';

/** The part of the envelope a pipe changes: its vars and the last caught error. */
export const ZScope = z.object({ vars: z.record(z.unknown()), error: ZRunError.nullable() });
export type TScope = z.infer<typeof ZScope>;

// Written by hand because zod cannot infer a recursive type; ZPipeCursor is checked against it.
/** Where a pipe is: the step at `index` is next (or in progress), with its block's state. */
export type TPipeCursor = { index: number; block?: TBlockState };

/** The state of a block step that is in progress, kept so a resumed run continues inside it. */
export type TBlockState =
  /** control.if / control.switch: the chosen nested pipe (a config path such as `then`). */
  | { kind: 'branch'; startedAt: string; pipe: string; cursor: TPipeCursor; output?: unknown }
  /** control.tryCatch: which part runs, what was caught, and what to do once `finally` ends. */
  | {
      kind: 'try';
      startedAt: string;
      phase: 'try' | 'catch' | 'finally';
      cursor: TPipeCursor;
      outerError: TRunError | null;
      /** What `try` failed with, for the block's output; absent in state saved before it existed. */
      caught?: TRunError | null;
      after: { type: 'continue' } | { type: 'fail'; error: TRunError } | { type: 'return'; output: unknown };
      /**
       * Where the failure `after` carries happened, as it stood just before the failed step: the
       * phase, that phase's cursor and the scope. `finally` runs from a fresh cursor and the
       * scope moves on, so only this lets an operator's retry go back to that step (SPEC §7.6,
       * rewindForRetry). Format version 2.
       */
      failedAt?: TTryFailure;
    }
  /**
   * control.forEach: the items (evaluated once), the next item to start, and the iterations in
   * flight. Every index below `next` and not in `active` has ended; what it ended with is a
   * row of `run_block_results`, never part of this state, which every commit writes whole
   * (SPEC §7.8: with the results here, a loop of N calls wrote O(N²) bytes). Format 3.
   */
  | {
      kind: 'forEach';
      startedAt: string;
      items: unknown[];
      next: number;
      active: Array<{ index: number; scope: TScope; cursor: TPipeCursor }>;
      /**
       * Format 2 and earlier only: the results and failures of the iterations that had ended,
       * by index. The first pass that resumes the block moves them to rows (runForEach).
       */
      results?: unknown[];
      failures?: Array<TRunError | null>;
    }
  /** control.parallel: every branch's own scope and position, and its result once done. */
  | {
      kind: 'parallel';
      startedAt: string;
      branches: Array<{ id: string; scope: TScope; cursor: TPipeCursor; done: boolean; result: unknown }>;
    }
  /** A leaf step waiting on a wait row (event, task, timer, child run) or on a retry's backoff timer. */
  | { kind: 'wait'; waitId: string; recordId: string; attempt: number; startedAt: string; retry: boolean };

/** A try block's unhandled failure: see `failedAt`. */
export type TTryFailure = { phase: 'try' | 'catch'; cursor: TPipeCursor; scope: TScope };

/**
 * zod 3's `z.lazy` calls its getter on every parse, so each claim's parse of the execution built
 * every block schema anew (a fifth of the worker's zod time on 1-step runs): built once here.
 */
export function builtOnce<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

const ZPipeCursorShape: z.ZodType<TPipeCursor> = z.lazy(
  builtOnce(() => z.object({ index: z.number().int().min(0), block: ZBlockState.optional() })),
);

const ZBlockState: z.ZodType<TBlockState> = z.lazy(
  builtOnce(
    () =>
      z.discriminatedUnion('kind', [
        // `output` is the node's own (e.g. switch's `{matched}`), recorded when the branch ends.
        z.object({
          kind: z.literal('branch'),
          startedAt: z.string(),
          pipe: z.string(),
          cursor: ZPipeCursorShape,
          output: z.unknown().optional(),
        }),
        z.object({
          kind: z.literal('try'),
          startedAt: z.string(),
          phase: z.enum(['try', 'catch', 'finally']),
          cursor: ZPipeCursorShape,
          outerError: ZRunError.nullable(),
          caught: ZRunError.nullable().optional(),
          after: z.discriminatedUnion('type', [
            z.object({ type: z.literal('continue') }),
            z.object({ type: z.literal('fail'), error: ZRunError }),
            z.object({ type: z.literal('return'), output: z.unknown() }),
          ]),
          failedAt: z.object({ phase: z.enum(['try', 'catch']), cursor: ZPipeCursorShape, scope: ZScope }).optional(),
        }),
        z.object({
          kind: z.literal('forEach'),
          startedAt: z.string(),
          items: z.array(z.unknown()),
          next: z.number().int().min(0),
          active: z.array(z.object({ index: z.number().int().min(0), scope: ZScope, cursor: ZPipeCursorShape })),
          results: z.array(z.unknown()).optional(),
          failures: z.array(ZRunError.nullable()).optional(),
        }),
        z.object({
          kind: z.literal('parallel'),
          startedAt: z.string(),
          branches: z.array(
            z.object({
              id: z.string(),
              scope: ZScope,
              cursor: ZPipeCursorShape,
              done: z.boolean(),
              result: z.unknown(),
            }),
          ),
        }),
        z.object({
          kind: z.literal('wait'),
          waitId: z.string(),
          recordId: z.string(),
          attempt: z.number().int().min(1),
          startedAt: z.string(),
          retry: z.boolean(),
        }),
      ]) as z.ZodType<TBlockState>,
  ),
);

export const ZPipeCursor = ZPipeCursorShape;

/**
 * The format of `runs.execution` this code writes. A run can wait for months, so an execution
 * is read by later versions than the one that wrote it: every version is upgraded here, in
 * `upgradeExecution`, and never anywhere else. Each version saved by earlier code is kept as a
 * replay fixture (replay-fixtures/, see ARCHITECTURE.md, Runtime).
 *  1: no `formatVersion` field (up to ecf4f71).
 *  2: `formatVersion`; a try block may carry `failedAt` (what an operator's retry goes back to);
 *     `returned` once a control.return succeeded.
 *  3: a forEach keeps no results or failures: each ended iteration is a `run_block_results` row,
 *     and `attempts` drops the step paths of iterations that ended (SPEC §7.8).
 */
export const EXECUTION_FORMAT_VERSION = 3;

const ZExecutionV3 = z.object({
  formatVersion: z.literal(EXECUTION_FORMAT_VERSION),
  scope: ZScope,
  cursor: ZPipeCursorShape,
  /**
   * Attempts made so far per step path not yet passed, so a retried or resumed step gets the
   * next number. A path's count is dropped when its pipe passes the step (passStep), and the
   * paths inside a forEach iteration when it ends: every commit writes this whole, and with a
   * count per step ever run it grew with the run. Nothing runs a passed path again but an
   * operator's retry or migration, which read the counts back from the records (restoreAttempts).
   * Executions saved before this keep the counts of passed paths; they are read as they are.
   */
  attempts: z.record(z.number().int().min(0)),
  /** When `settings.timeoutMs` counts from, if not the run's start: an operator's retry gives the run a new window. */
  timeoutFrom: z.string().datetime({ offset: true }).optional(),
  /**
   * Set with the SUCCEEDED record of a control.return: the run has ended, though concurrent
   * lanes may still commit before its last batch. A pass that finds it ends the run at once
   * instead of running the return (and its one success) again.
   */
  returned: z.object({ output: z.unknown() }).optional(),
});

/** Brings a stored execution of any earlier format to the current one; a newer one is refused. */
function upgradeExecution(stored: unknown): unknown {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return stored;
  const version = 'formatVersion' in stored ? stored.formatVersion : 1;
  if (typeof version === 'number' && version > EXECUTION_FORMAT_VERSION) {
    // A newer worker saved it (a rolling deploy): reading it would drop what this code does not know.
    throw new AppError(
      'CONFLICT',
      `This run was saved in execution format ${version}, newer than this version of Pipewright reads (${EXECUTION_FORMAT_VERSION}).`,
    );
  }
  // Version 1 → 2 adds fields that are optional in the state, so its contents stay as they are.
  // Version 2 → 3: a forEach's inline `results` and `failures` stay, optional in format 3, and
  // are moved to rows by the pass that resumes the block; the attempts of ended iterations stay
  // too (they no longer grow). So both only change the number.
  return version === 1 || version === 2 ? { ...stored, formatVersion: EXECUTION_FORMAT_VERSION } : stored;
}

/** Everything the interpreter needs to continue a run, stored in `runs.execution`; parses every format version. */
export const ZExecution = z.preprocess(upgradeExecution, ZExecutionV3);
export type TExecution = z.infer<typeof ZExecution>;

export function initialExecution(): TExecution {
  return {
    formatVersion: EXECUTION_FORMAT_VERSION,
    scope: { vars: {}, error: null },
    cursor: { index: 0 },
    attempts: {},
  };
}
