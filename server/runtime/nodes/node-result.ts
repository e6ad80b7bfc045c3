import 'server-only';
import type { TTaskRules } from '@/server/tasks/task-rules';
import type { TRunError, TEnvelope } from '@/model/definition/envelope';
import type { TStep } from '@/model/definition/step';
import type { TLogLine } from '@/model/log-levels';
import type { TArtifactRef } from '@/model/artifacts/artifact-ref';
import type { ArtifactStager, TArtifactDraft, TStagedArtifact } from '@/server/artifacts/artifact-stager';

/** An error a node reports, with whether trying again could help (SPEC §5 retries). */
export type TStepError = TRunError & { retryable: boolean; retryAfterMs?: number };

/** Something a step waits on; the interpreter stores it and suspends the branch. */
export type TWaitRequest =
  | { kind: 'event'; event: string; correlationKey: string | null; timeoutMs: number | null; lookbackMs: number | null }
  | { kind: 'timer'; resumeAt: Date }
  | {
      kind: 'task';
      timeoutMs: number | null;
      task: {
        title: string;
        description: string;
        form: Record<string, unknown>;
        outcomes: string[];
        assignee: { role: string } | { user: string } | { users: string[] };
      } & TTaskRules;
    }
  | { kind: 'child'; workflow: string; version: number | 'latest'; input: unknown };

/** How a resolved wait came back: a payload, or its timeout. */
export type TWaitOutcome = { kind: 'resolved'; payload: unknown } | { kind: 'expired' };

/**
 * What a node's `execute` describes; only the interpreter acts on it (STYLE: handlers
 * describe, the interpreter does).
 */
export type TNodeResult =
  /** Done: record `output`, apply `assign` (paths under vars) and `state`; `logs` become `log` events. */
  | {
      kind: 'next';
      input?: unknown;
      output?: unknown;
      assign?: Array<{ path: string; value: unknown }>;
      state?: string | null;
      logs?: TLogLine[];
      /** Files the step returned (ArtifactStager.staged): stored with its SUCCEEDED record, dropped if it fails. */
      artifacts?: TStagedArtifact[];
    }
  | { kind: 'wait'; input?: unknown; wait: TWaitRequest }
  | { kind: 'fail'; input?: unknown; error: TStepError; logs?: TLogLine[] }
  /** End the run successfully with this output (control.return). */
  | { kind: 'return'; output: unknown }
  /** Run one nested pipe (a config path such as `then`, `cases[1].steps`), or none. */
  | { kind: 'branch'; pipe: string | null; output: unknown }
  /** control.forEach: run the nested pipe once per item. */
  | { kind: 'iterate'; items: unknown[] }
  /** control.parallel and control.tryCatch: the interpreter runs their pipes as SPEC §4.3 says. */
  | { kind: 'block' };

/** What a node's `execute` gets: its config (expressions unresolved), and ways to resolve them. */
export type TNodeExecuteArgs<C> = {
  config: C;
  step: TStep;
  path: string;
  attempt: number;
  envelope: TEnvelope;
  /** Resolves expressions inside a config value (never evaluates their results again). */
  resolve: (value: unknown, at: string) => Promise<unknown>;
  /**
   * Resolves an action input, where `{ "$secret" }` references are allowed: `input` holds the
   * secret values and goes to the action only; `recorded` has them masked, for the step record.
   */
  resolveActionInput: (value: unknown, at: string) => Promise<{ input: unknown; recorded: unknown }>;
  /** Calls an action through the idempotency ledger. */
  callAction: (call: {
    action: string;
    version: number;
    input: unknown;
    idempotencyKey: string;
  }) => Promise<{ output: unknown } | { error: TStepError }>;
  /** A stager for the files this step returns (code.js `$artifact`); its `staged` go in the result's `artifacts`. */
  artifactStager: () => ArtifactStager;
  signal: AbortSignal;
};

export type { TArtifactDraft, TArtifactRef };

export type TNodeResumeArgs<C> = TNodeExecuteArgs<C> & { outcome: TWaitOutcome };

/**
 * Thrown from inside a step's tools when the step must fail with a run error code that is
 * not an AppError code (SECRET_MISSING, …); the interpreter turns it into `{ kind: 'fail' }`.
 */
export class StepFailure extends Error {
  constructor(readonly failure: TStepError) {
    super(failure.message);
    this.name = 'StepFailure';
  }
}
