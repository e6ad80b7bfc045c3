/**
 * How a task's outcome is shown, one rule for its answer button and for the answered badge:
 * an outcome whose first word says no (reject, deny, decline, refuse, cancel, abort, block,
 * no, and their past forms: `reject`, `rejected`, `deny-refund`) is `danger`, red, never green;
 * otherwise the first outcome listed is the expected answer, `primary` (a green badge once
 * chosen); any other is `neutral`.
 */
export type TOutcomeTone = 'primary' | 'neutral' | 'danger';

const SAYS_NO = new Set([
  'reject',
  'rejected',
  'deny',
  'denied',
  'decline',
  'declined',
  'refuse',
  'refused',
  'cancel',
  'canceled',
  'cancelled',
  'abort',
  'aborted',
  'block',
  'blocked',
  'no',
]);

export function outcomeTone(outcome: string, outcomes: readonly string[]): TOutcomeTone {
  const firstWord =
    outcome
      .trim()
      .toLowerCase()
      .split(/[\s_.-]+/)[0] ?? '';
  if (SAYS_NO.has(firstWord)) return 'danger';
  return outcomes.indexOf(outcome) === 0 ? 'primary' : 'neutral';
}
