import 'server-only';
/**
 * How long a `Retry-After` header asks to wait, in ms: delta-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`, which counts from `now`; a past date means now). Undefined
 * when absent or unreadable (negative, fractional, garbage), so the step's own backoff applies.
 * Always finite: a thousand nines of seconds is read as the largest safe integer, and the
 * retry delay caps it (retry-delay.ts), so no date computed from it can be invalid.
 *
 * @example parseRetryAfter('120') // 120000
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, Number.MAX_SAFE_INTEGER);
  // Date.parse also takes bare numbers and ISO strings; an HTTP date always names a weekday or month.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
