import { describe, expect, it } from 'vitest';
import { copyOfEnvelope } from './evaluate-expression';

describe('copyOfEnvelope', () => {
  it('copies plain JSON deeply: nothing of the copy is shared with the original', () => {
    const envelope = { payload: { lines: [{ qty: 2 }, null, 'x'] }, vars: { n: 1, t: true }, meta: { a: { b: [] } } };
    const copy = copyOfEnvelope(envelope);
    expect(copy).toEqual(envelope);
    expect(copy.payload).not.toBe(envelope.payload);
    expect(copy.payload.lines[0]).not.toBe(envelope.payload.lines[0]);
    expect(copy.meta.a.b).not.toBe(envelope.meta.a.b);
    (copy.payload.lines[0] as { qty: number }).qty = 99;
    expect(envelope.payload.lines[0]).toEqual({ qty: 2 });
  });

  it('keeps a "__proto__" key an own property and never sets the prototype', () => {
    const payload = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const copy = copyOfEnvelope({ payload });
    expect(Object.getPrototypeOf(copy.payload)).toBe(Object.prototype);
    expect(Object.hasOwn(copy.payload, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves what is not plain JSON to structuredClone, as before', () => {
    const at = new Date('2026-12-07T00:00:00Z');
    const copy = copyOfEnvelope({ meta: { at, tags: new Set(['a']) } });
    expect(copy.meta.at).toBeInstanceOf(Date);
    expect(copy.meta.at).not.toBe(at);
    expect(copy.meta.tags).toEqual(new Set(['a']));
    expect(() => copyOfEnvelope({ vars: { f: () => 1 } })).toThrow(/could not be cloned/);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 500; i++) deep = [deep];
    expect(copyOfEnvelope({ payload: deep })).toEqual({ payload: deep });
  });
});
