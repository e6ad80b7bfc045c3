import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration } from '@/components/runs/format';

describe('formatCount', () => {
  it('separates thousands the same way whatever the process locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(100_000)).toBe('100,000');
    expect(formatCount(1_234_567)).toBe('1,234,567');
  });
});

describe('formatDuration', () => {
  it('names the unit that reads best', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12.4 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
  });
});
