import 'server-only';
import type { Db } from '@/server/db/database';
import type { TExecution, TPipeCursor, TScope } from '@/server/runtime/execution/execution-state';
import type { TNodeDescriptor } from '@/server/runtime/nodes/node-descriptor';
import type { TRunError, TTriggerType } from '@/model/definition/envelope';
import type { TStep } from '@/model/definition/step';
import type { TVersionDocument } from '@/model/definition/version-document';
import type { RunWriter } from '@/server/runtime/interpreter/run-writer';
import type { TLedger } from '@/server/runtime/run-store/ledger';
import type { TWaitRequest } from '@/server/runtime/nodes/node-result';

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
