import { describe, expect, it } from 'vitest';
import { MIN_RETRY_AFTER_CAP_MS, retryDelayMs } from '@/server/runtime/interpreter/retry-delay';
import { ZRetryPolicy } from '@/model/definition/step';

const policy = ZRetryPolicy.parse({
  maxAttempts: 5,
  initialDelayMs: 1000,
  backoffCoefficient: 2,
  maxDelayMs: 60_000,
  jitter: false,
});
const HOUR = 3_600_000;

describe('retryDelayMs', () => {
  it('backs off exponentially up to maxDelayMs', () => {
    expect([2, 3, 4, 10].map((nextAttempt) => retryDelayMs({ policy, nextAttempt }))).toEqual([
      1000, 2000, 4000, 60_000,
    ]);
  });

  it('lets a Retry-After ask for longer, up to an hour when maxDelayMs is shorter (SPEC §7.8)', () => {
    expect(MIN_RETRY_AFTER_CAP_MS).toBe(HOUR);
    expect(retryDelayMs({ policy, nextAttempt: 2, retryAfterMs: 30_000 })).toBe(30_000);
    expect(retryDelayMs({ policy, nextAttempt: 2, retryAfterMs: 2 * HOUR })).toBe(HOUR);
    // 99999999999 s: the value that used to schedule a retry in the year 5138.
    expect(retryDelayMs({ policy, nextAttempt: 2, retryAfterMs: 99_999_999_999_000 })).toBe(HOUR);
  });

  it('caps a Retry-After at maxDelayMs when that is longer than an hour', () => {
    const patient = ZRetryPolicy.parse({ ...policy, maxDelayMs: 6 * HOUR });
    expect(retryDelayMs({ policy: patient, nextAttempt: 2, retryAfterMs: 24 * HOUR })).toBe(6 * HOUR);
  });

  it.each([Number.POSITIVE_INFINITY, Number.MAX_VALUE])(
    'turns a Retry-After of %s into the cap, never a date that cannot be written',
    (retryAfterMs) => {
      const delayMs = retryDelayMs({ policy, nextAttempt: 2, retryAfterMs });
      expect(delayMs).toBe(HOUR);
      expect(() => new Date(Date.now() + delayMs).toISOString()).not.toThrow();
    },
  );

  it.each([Number.NaN, -5_000, Number.NEGATIVE_INFINITY])('ignores a Retry-After of %s', (retryAfterMs) => {
    expect(retryDelayMs({ policy, nextAttempt: 3, retryAfterMs })).toBe(2000);
  });

  it('stays finite whatever the random source returns', () => {
    const jittered = ZRetryPolicy.parse({ ...policy, jitter: true });
    for (const random of [() => Number.NaN, () => Number.POSITIVE_INFINITY, () => -1, () => 2]) {
      const delayMs = retryDelayMs({ policy: jittered, nextAttempt: 3, random });
      expect(Number.isFinite(delayMs)).toBe(true);
      expect(delayMs).toBeGreaterThanOrEqual(1000);
      expect(delayMs).toBeLessThanOrEqual(2000);
    }
  });
});
