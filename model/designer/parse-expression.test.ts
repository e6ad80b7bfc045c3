import { describe, expect, it } from 'vitest';
import { parseExpression } from '@/model/designer/parse-expression';

describe('parseExpression', () => {
  it('accepts valid JSONata without evaluating it', () => {
    expect(parseExpression("payload.amount > 1000 ? 'big' : 'small'")).toBeNull();
    // Would loop forever if evaluated; parsing is all that happens.
    expect(parseExpression('($f := function() { $f() }; $f())')).toBeNull();
  });

  it('locates an error by line and column', () => {
    expect(parseExpression('payload.(')).toEqual({
      message: 'Expected ")" before end of expression',
      index: 8,
      line: 1,
      column: 9,
    });
    expect(parseExpression('a ]')).toMatchObject({ line: 1, column: 3, index: 2 });
    expect(parseExpression('vars.total +\n  )')).toMatchObject({ line: 2, column: 3 });
  });

  it('calls an empty expression what it is', () => {
    expect(parseExpression('   ')).toMatchObject({ message: 'The expression is empty' });
  });
});
