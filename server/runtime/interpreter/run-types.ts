import 'server-only';
import type { Db } from '@/server/db/database';
import type { TExecution, TPipeCursor, TScope } from '@/server/runtime/execution/execution-state';
import type { TNodeDescriptor } from '@/server/runtime/nodes/node-descriptor';
import type { TRunError, TTriggerType } from '@/model/definition/envelope';
import type { TStep } from '@/model/definition/step';
import type { TVersionDocument } from '@/model/definition/version-document';
import type { RunWriter } from '@/server/runtime/interpreter/run-writer';
import type { TLedger } from '@/server/runtime/run-store/ledger';
import type { TNodeExecuteArgs, TNodeResult, TWaitRequest } from '@/server/runtime/nodes/node-result';
import type { SecretMask } from '@/server/runtime/interpreter/mask-secrets';
import type { TEnvelope } from '@/model/definition/envelope';

/** How a pipe (or a step) left off. */
export type TPipeOutcome =
  | { kind: 'completed' }
  | { kind: 'suspended' }
  | { kind: 'paused' }
  | { kind: 'canceled' }
  | { kind: 'returned'; output: unknown }
  | { kind: 'failed'; error: TRunError };
export type TStepOutcome = { kind: 'next' } | Exclude<TPipeOutcome, { kind: 'completed' }>;

/** The facts of a run the interpreter reads (SPEC §4.2 `meta`). */
export type TRunFacts = {
  id: string;
  tenantId: string;
  workflowKey: string;
  version: number;
  startedAt: string;
  trigger: { type: TTriggerType; id?: string };
  input: unknown;
};

export type TBindings = { item: unknown; index: number } | undefined;

/** One step about to run, with everything its execution needs. */
export type TStepFrame = {
  step: TStep;
  descriptor: TNodeDescriptor;
  config: unknown;
  cursor: TPipeCursor;
  scope: TScope;
  path: string;
  bindings: TBindings;
};

export type TInterpreterDeps = {
  db: Db;
  writer: RunWriter;
  run: TRunFacts;
  document: TVersionDocument;
  execution: TExecution;
  state: string | null;
  signal: AbortSignal;
  pauseRequested: () => boolean;
  /** The lease is certainly still this worker's (TLeaseControls.leaseValid); checked before an outside effect. */
  leaseValid: () => boolean;
  /** Completed invocations under this run's default keys, read with the claim (claimRun). */
  ledger: TLedger;
  /** Set when this is not a run (test a step, replay a draft): see TDryRun. */
  dryRun?: TDryRun;
  /**
   * A test run started with "mock outside effects" (runs.mock_actions): every action with an
   * outside effect answers null without being called, and a `log` event says so.
   */
  mockActions?: boolean;
};

/**
 * Interpreting without a run (SPEC §9 test a step, replay): the writer keeps records in memory
 * (DryRunWriter); a step that would wait is recorded WAITING and its wait described here
 * instead of created; a failure is not retried; and every action with an outside effect is
 * first offered to `answerAction`: its answer stands in for the call, or null lets it happen for
 * real under `idempotencyKey()`. Pure actions always run.
 */
export type TDryRun = {
  answerAction(call: {
    stepId: string;
    path: string;
    action: string;
    version: number;
    input: unknown;
  }): { output: unknown } | null;
  idempotencyKey(): string;
  /** A wait answered at once (replay: from the recorded run), or null to leave the step WAITING. */
  answerWait?(call: { stepId: string; path: string; wait: TWaitRequest }): { payload: unknown } | null;
  waits: Array<{ stepId: string; path: string; wait: TWaitRequest }>;
};

/**
 * What a step's tools (step-tools.ts: expressions, secrets, action calls) need of the
 * interpreter. These interfaces, not the RunInterpreter class, are what the modules around
 * the interpreter are handed, so none of them imports it and it imports them one way.
 */
export interface TStepToolsHost {
  readonly deps: TInterpreterDeps;
  /** Secret values and Basic users met so far in this pass, masked wherever they are recorded. */
  readonly secrets: SecretMask;
  /** The envelope expressions read at this point (SPEC §4.2). */
  envelope(frame: Pick<TStepFrame, 'step' | 'scope'>, attempt: number): TEnvelope;
}

/** What settling a leaf step's result (settle-leaf.ts) needs of the interpreter. */
export interface TLeafHost extends TStepToolsHost {
  /** The run's business state (state.set), kept between steps of the pass. */
  state: string | null;
  passStep(cursor: TPipeCursor, path: string): void;
  markReturned(path: string, output: unknown): void;
  snapshot(frame: Pick<TStepFrame, 'step' | 'scope' | 'path'>, attempt: number, recordId: string): void;
  /** Runs a node's execute (or resume), turning thrown errors into a described failure. */
  describe(
    frame: TStepFrame,
    attempt: number,
    call: (args: TNodeExecuteArgs<unknown>) => Promise<TNodeResult>,
  ): Promise<TNodeResult>;
}

/** What a block runner (run-blocks.ts, run-concurrent-blocks.ts) needs of the interpreter. */
export interface TBlockHost {
  readonly deps: TInterpreterDeps;
  runPipe(
    steps: readonly TStep[],
    cursor: TPipeCursor,
    scope: TScope,
    base: string,
    bindings: TBindings,
  ): Promise<TPipeOutcome>;
  passStep(cursor: TPipeCursor, path: string): void;
  markReturned(path: string, output: unknown): void;
  /** Lane error: the pass is lost; the other lanes stop before their next step. */
  halt(): void;
  nextAttempt(path: string): number;
  snapshot(frame: Pick<TStepFrame, 'step' | 'scope' | 'path'>, attempt: number, recordId: string): void;
  executeArgs(frame: TStepFrame, attempt: number, signal: AbortSignal): TNodeExecuteArgs<unknown>;
  describe(
    frame: TStepFrame,
    attempt: number,
    call: (args: TNodeExecuteArgs<unknown>) => Promise<TNodeResult>,
  ): Promise<TNodeResult>;
}

/** Runs a block step (if, switch, for each, parallel, try/catch) from where it stands. */
export type TBlockRunner = (host: TBlockHost, frame: TStepFrame) => Promise<TStepOutcome>;
