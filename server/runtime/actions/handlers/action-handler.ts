import type { TStepError } from '@/server/runtime/nodes/node-result';

/**
 * Runs one action invocation: gets the resolved input (secrets included, never recorded),
 * an AbortSignal for cancel and step timeouts, and the idempotency key (SPEC §4.4). Expected
 * failures come back as `{ error }` with their retryability; a throw means a bug.
 */
export type TActionHandler = (args: { input: unknown; signal: AbortSignal; idempotencyKey: string }) => Promise<{ output: unknown } | { error: TStepError }>;
