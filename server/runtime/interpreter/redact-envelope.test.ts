import { describe, expect, it } from 'vitest';
import { REDACTED, redactEnvelope } from '@/server/runtime/interpreter/redact-snapshot';

describe('redactEnvelope', () => {
  it('masks secret-looking keys and pointers in a copy, leaving the envelope as it was', () => {
    const envelope = {
      payload: { user: 'ada', password: 'hunter22', nested: [{ apiKey: 'k-123456', keep: 1 }] },
      vars: { token: { value: 'object values are walked, not masked whole' }, note: 'x' },
      env: {},
      meta: { runId: 'r1' },
      error: null,
    };
    const before = structuredClone(envelope);
    const copy = redactEnvelope(envelope, ['/vars/note']) as typeof envelope;
    expect(copy).toEqual({
      payload: { user: 'ada', password: REDACTED, nested: [{ apiKey: REDACTED, keep: 1 }] },
      vars: { token: { value: 'object values are walked, not masked whole' }, note: REDACTED },
      env: {},
      meta: { runId: 'r1' },
      error: null,
    });
    expect(envelope).toEqual(before);
    expect(copy.payload).not.toBe(envelope.payload);
  });

  it('keeps a "__proto__" key an own property of the copy, never the prototype', () => {
    const payload = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const copy = redactEnvelope({ payload }, []) as { payload: Record<string, unknown> };
    expect(Object.getPrototypeOf(copy.payload)).toBe(Object.prototype);
    expect(Object.hasOwn(copy.payload, '__proto__')).toBe(true);
    expect(JSON.stringify(copy.payload)).toBe('{"__proto__":{"polluted":true},"ok":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
