import { describe, expect, it } from 'vitest';
import { previewValue, valueAtPath } from '@/model/testing/value-at-path';

describe('valueAtPath', () => {
  const envelope = { payload: { items: [{ price: 12.5 }], name: null }, vars: { total: 0 } };

  it('reads nested keys and array indexes', () => {
    expect(valueAtPath(envelope, 'payload.items[0].price')).toEqual({ found: true, value: 12.5 });
    expect(valueAtPath(envelope, 'vars.total')).toEqual({ found: true, value: 0 });
    expect(valueAtPath(envelope, 'payload.name')).toEqual({ found: true, value: null });
  });

  it('says when a path is not there, never reading a prototype', () => {
    expect(valueAtPath(envelope, 'vars.missing').found).toBe(false);
    expect(valueAtPath(envelope, 'payload.items[3]').found).toBe(false);
    expect(valueAtPath(envelope, 'vars.toString').found).toBe(false);
    expect(valueAtPath(envelope, 'payload.items.length').found).toBe(false);
  });

  it('previews long values cut short', () => {
    expect(previewValue({ a: 1 })).toBe('{"a":1}');
    expect(previewValue('x'.repeat(100), 10)).toBe('"xxxxxxxx…');
  });
});
