import 'server-only';
import type { Db } from '@/server/db/database';
import type { TExecution, TPipeCursor, TScope } from '@/server/runtime/execution/execution-state';
import type { TNodeDescriptor } from '@/server/runtime/nodes/node-descriptor';
import type { TRunError, TTriggerType } from '@/model/definition/envelope';
import type { TStep } from '@/model/definition/step';
import type { TVersionDocument } from '@/model/definition/version-document';
import type { RunWriter } from '@/server/runtime/interpreter/run-writer';
import type { TLedger } from '@/server/runtime/run-store/ledger';

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
};
