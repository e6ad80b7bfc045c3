import 'server-only';
import type { Db } from '@/server/db/database';
import type { TStepError } from '@/server/runtime/nodes/node-result';
import type { TArtifactRef } from '@/model/artifacts/artifact-ref';
import type { TArtifactDraft } from '@/server/artifacts/artifact-stager';

/**
 * Where an invocation happens: the run and step it belongs to, and the database for actions
 * whose effect is stored by Pipewright itself (the outbox, events). `maskSecrets` replaces
 * the run's resolved secret values, for anything the handler stores or shows.
 * `assertLeaseHeld` throws when this worker can no longer be sure it holds the run; a handler
 * calls it synchronously right before its effect leaves the process (SPEC §7.3).
 */
export type TActionInvocation = {
  db: Db;
  tenantId: string;
  runId: string;
  stepPath: string;
  maskSecrets: (value: unknown) => unknown;
  /** Adds a value the handler resolved itself (a connection's credential) to the run's mask, in every encoding. */
  addSecret: (value: string) => void;
  assertLeaseHeld: () => void;
  /**
   * Keeps a file the action returns (SPEC §11) for the step's commit and answers the reference
   * its output holds instead; throws a StepFailure for a file over the limit or the tenant's
   * quota. Absent where nothing can be stored (a connection's test).
   */
  stageArtifact?: (draft: TArtifactDraft) => Promise<TArtifactRef>;
};

export type TActionHandlerResult = { output: unknown } | { error: TStepError };

/**
 * Runs one action invocation: gets the resolved input (secrets included, never recorded),
 * an AbortSignal for cancel and step timeouts, and the idempotency key (SPEC §4.4). Expected
 * failures come back as `{ error }` with their retryability; a throw means a bug.
 */
export type TActionHandler = (args: {
  input: unknown;
  signal: AbortSignal;
  idempotencyKey: string;
  invocation: TActionInvocation;
}) => Promise<TActionHandlerResult>;
