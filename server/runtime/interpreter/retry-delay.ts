import type { TRetryPolicy } from '@/server/workflows/definition/step';

/**
 * The wait before attempt `nextAttempt` (2, 3, …): exponential backoff from the policy,
 * capped, with "full jitter" (uniform in [delay/2, delay]) so many runs failing together do
 * not retry in lockstep. A server's Retry-After wins when it asks for longer.
 */
export function retryDelayMs({ policy, nextAttempt, retryAfterMs, random = Math.random }: { policy: TRetryPolicy; nextAttempt: number; retryAfterMs?: number; random?: () => number }): number {
  const exponential = policy.initialDelayMs * policy.backoffCoefficient ** Math.max(0, nextAttempt - 2);
  const capped = Math.min(policy.maxDelayMs, exponential);
  const jittered = policy.jitter ? capped / 2 + random() * (capped / 2) : capped;
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
