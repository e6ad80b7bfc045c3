import { describe, expect, it } from 'vitest';
import { labelFor, schemaKind, splitExpression, takesExpression } from '@/components/designer/config/schema-kind';

const EXPR = { $ref: '#/definitions/Expr' };

describe('takesExpression', () => {
  it('is true where the schema offers an expression', () => {
    expect(takesExpression({ anyOf: [EXPR, { type: 'string' }] })).toBe(true);
    expect(takesExpression({ anyOf: [EXPR, { type: 'boolean' }], description: 'branch' })).toBe(true);
  });

  it('is true for a value that may be any JSON (a transform.assign value), which an expression object is too', () => {
    expect(schemaKind({})).toEqual({ kind: 'any' });
    expect(takesExpression({})).toBe(true);
    expect(takesExpression({ description: 'anything' })).toBe(true);
  });

  it('is false for a plain literal schema', () => {
    expect(takesExpression({ type: 'string', pattern: '^vars' })).toBe(false);
    expect(takesExpression({ type: 'integer', minimum: 1 })).toBe(false);
    expect(takesExpression({ type: 'object', additionalProperties: {} })).toBe(false);
    expect(takesExpression({ anyOf: [{ type: 'string' }, { type: 'number' }] })).toBe(false);
  });
});

describe('splitExpression', () => {
  it('keeps the outer keywords on the literal side', () => {
    expect(splitExpression({ anyOf: [EXPR, { type: 'string' }], description: 'Title' })).toEqual({
      expression: true,
      literal: { type: 'string', description: 'Title' },
    });
    expect(splitExpression({ type: 'number' })).toEqual({ expression: false, literal: { type: 'number' } });
  });
});

describe('labelFor', () => {
  it('turns camelCase keys into words, milliseconds as a unit', () => {
    expect(labelFor('idempotencyKey')).toBe('Idempotency key');
    expect(labelFor('saveAs')).toBe('Save as');
    expect(labelFor('timeoutMs')).toBe('Timeout (ms)');
    expect(labelFor('initialDelayMs')).toBe('Initial delay (ms)');
    expect(labelFor('items')).toBe('Items');
    expect(labelFor('Ms')).toBe('Ms');
  });
});
