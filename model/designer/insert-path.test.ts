import { describe, expect, it } from 'vitest';
import { insertPickedPath, partialPathAt } from '@/model/designer/insert-path';

describe('insertPickedPath', () => {
  it('completes what was typed of the same path instead of repeating it', () => {
    expect(insertPickedPath('vars.', 5, 5, 'vars.summary')).toEqual({ source: 'vars.summary', caret: 12 });
    expect(insertPickedPath('$count(vars.su)', 14, 14, 'vars.summary')).toEqual({
      source: '$count(vars.summary)',
      caret: 19,
    });
  });

  it('inserts at the caret when what precedes it is something else', () => {
    expect(insertPickedPath('payload.amount > ', 17, 17, 'vars.limit')).toEqual({
      source: 'payload.amount > vars.limit',
      caret: 27,
    });
    expect(insertPickedPath('payload.', 8, 8, 'vars.limit').source).toBe('payload.vars.limit');
  });

  it('replaces a selection as it is', () => {
    expect(insertPickedPath('vars.old + 1', 0, 8, 'vars.new').source).toBe('vars.new + 1');
  });

  it('reads the partial name before the caret', () => {
    expect(partialPathAt('a + vars.x', 10)).toBe('vars.x');
    expect(partialPathAt('a + ', 4)).toBe('');
  });
});
