import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '@/server/runtime/actions/handlers/retry-after';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date relative to now, a past one as zero', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it.each([undefined, '', '-5', '1.5', 'soon', '2026-11-22'])('ignores %s', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('parseRetryAfter with absurd values', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');

  it('always returns a finite number of ms, however many seconds are asked for', () => {
    for (const value of ['99999999999', '9'.repeat(400)]) {
      const ms = parseRetryAfter(value, now);
      expect(Number.isFinite(ms)).toBe(true);
      expect(ms).toBeGreaterThan(1e12);
    }
  });

  it('reads a far-future HTTP date as a finite wait', () => {
    const ms = parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', now);
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThan(1e14);
  });

  it.each(['-1', '+5', '0x10', '1e3', 'Infinity', 'NaN', 'Mon, 99 Foo 2026 99:99:99 GMT'])('ignores %s', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
