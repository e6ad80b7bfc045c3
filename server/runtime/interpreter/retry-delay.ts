import 'server-only';
import type { TRetryPolicy } from '@/model/definition/step';

/**
 * A server's Retry-After may stretch a retry past the step's own maxDelayMs, but never past
 * an hour more than the policy allows (SPEC §7.8: capped at `max(retry.maxDelayMs, 1 h)`):
 * `Retry-After: 99999999999` once scheduled a retry in the year 5138, and a larger one made a
 * date that cannot be written, which crashed the worker's pass until the run was WORKER_CRASHED.
 */
export const MIN_RETRY_AFTER_CAP_MS = 3_600_000;

/** A number of ms that is a real wait, or undefined: NaN and negatives mean "no opinion". */
function asWait(ms: number | undefined): number | undefined {
  return ms === undefined || Number.isNaN(ms) || ms < 0 ? undefined : ms;
}

/**
 * The wait before attempt `nextAttempt` (2, 3, …): exponential backoff from the policy,
 * capped, with "full jitter" (uniform in [delay/2, delay]) so many runs failing together do
 * not retry in lockstep. A server's Retry-After wins when it asks for longer, up to
 * `max(maxDelayMs, 1 h)`. Always a finite, non-negative integer, so `now + delay` is a date.
 *
 * @example retryDelayMs({ policy, nextAttempt: 2, retryAfterMs: 99_999_999_999_000 }) // 3_600_000 with maxDelayMs 60 s
 */
export function retryDelayMs({
  policy,
  nextAttempt,
  retryAfterMs,
  random = Math.random,
}: {
  policy: TRetryPolicy;
  nextAttempt: number;
  retryAfterMs?: number;
  random?: () => number;
}): number {
  const exponential = policy.initialDelayMs * policy.backoffCoefficient ** Math.max(0, nextAttempt - 2);
  // Infinity (a huge attempt number) or NaN (0 × Infinity) both mean "as long as allowed".
  const capped = Number.isFinite(exponential) ? Math.min(policy.maxDelayMs, exponential) : policy.maxDelayMs;
  const share = Math.min(1, Math.max(0, random() || 0));
  const jittered = policy.jitter ? capped / 2 + share * (capped / 2) : capped;
  const asked = asWait(retryAfterMs);
  const honoured = asked === undefined ? 0 : Math.min(asked, Math.max(policy.maxDelayMs, MIN_RETRY_AFTER_CAP_MS));
  return Math.round(Math.max(jittered, honoured));
}
