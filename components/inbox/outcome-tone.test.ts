import { describe, expect, it } from 'vitest';
import { outcomeTone } from '@/components/inbox/outcome-tone';

describe('outcomeTone', () => {
  it('the first outcome is primary, a no is danger wherever it is listed, the rest neutral', () => {
    const outcomes = ['approve', 'escalate', 'reject'];
    expect(outcomes.map((outcome) => outcomeTone(outcome, outcomes))).toEqual(['primary', 'neutral', 'danger']);
    expect(outcomeTone('Rejected', ['Rejected', 'approve'])).toBe('danger');
    expect(outcomeTone('deny-refund', ['refund', 'deny-refund'])).toBe('danger');
    expect(outcomeTone('no', ['yes', 'no'])).toBe('danger');
  });

  it('does not read a no into words that merely start like one', () => {
    expect(outcomeTone('notify', ['approve', 'notify'])).toBe('neutral');
    expect(outcomeTone('blockchain', ['blockchain'])).toBe('primary');
  });

  it('an outcome no longer listed (a recorded answer) is neutral unless it says no', () => {
    expect(outcomeTone('approve', [])).toBe('neutral');
    expect(outcomeTone('declined', [])).toBe('danger');
  });
});
