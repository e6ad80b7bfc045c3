import { describe, expect, it } from 'vitest';
import { checkExpressionSyntax } from './check-expression-syntax';
import { compileExpression, compiledExpression } from './compile-expression';
import { evaluateInThread } from './evaluate-in-thread';
import { EXPRESSION_LIMITS } from './expression-limits';
import { isExpression, isSecretRef } from '../../../model/definition/is-expression';
import { LruCache } from './lru-cache';

describe('compileExpression', () => {
  it('compiles a source once and reuses it', async () => {
    const first = await compileExpression({ source: 'payload.a + 1', limits: EXPRESSION_LIMITS });
    const second = await compileExpression({ source: 'payload.a + 1', limits: EXPRESSION_LIMITS });
    expect(first.ok).toBe(true);
    expect(second).toBe(first);
    const other = await compileExpression({ source: 'payload.a + 2', limits: EXPRESSION_LIMITS });
    expect(other).not.toBe(first);
  });

  it('hands a compiled expression over as a value, once its compilation has settled', async () => {
    const source = 'payload.a * 3';
    const first = compiledExpression({ source, limits: EXPRESSION_LIMITS });
    expect(first).toBeInstanceOf(Promise);
    const compiled = await first;
    const again = compiledExpression({ source, limits: EXPRESSION_LIMITS });
    expect(again).toBe(compiled);
    expect(
      await evaluateInThread({
        source,
        data: { payload: { a: 2 } },
        bindings: {},
        limits: EXPRESSION_LIMITS,
        compiled,
      }),
    ).toEqual({ ok: true, value: 6 });
    // A syntax error is an outcome like any other, cached and handed over the same way.
    const broken = await compiledExpression({ source: 'payload.(', limits: EXPRESSION_LIMITS });
    expect(broken.ok).toBe(false);
    expect(compiledExpression({ source: 'payload.(', limits: EXPRESSION_LIMITS })).toBe(broken);
  });

  it('keeps the cache bounded, evicting the least recently used entry', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.size).toBe(2);
  });
});

describe('checkExpressionSyntax', () => {
  it('accepts valid JSONata', () => {
    expect(checkExpressionSyntax({ source: '$sum(payload.lines.(qty * price))' })).toEqual({ ok: true });
    expect(checkExpressionSyntax('payload.a')).toEqual({ ok: true });
  });

  it('reports the message and jsonata position of a syntax error', () => {
    const result = checkExpressionSyntax({ source: 'payload.(a + ' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(/syntax error/);
    expect(typeof result.position).toBe('number');
  });

  it('answers an unchanged source from its cache, and an edited one anew', () => {
    const first = checkExpressionSyntax('payload.total + 1');
    expect(checkExpressionSyntax({ source: 'payload.total + 1' })).toBe(first);
    expect(checkExpressionSyntax('payload.total + ')).toMatchObject({ ok: false });
    expect(checkExpressionSyntax('payload.total + 1')).toEqual({ ok: true });
  });

  it('refuses deep nesting before the parser can overflow', () => {
    const result = checkExpressionSyntax({ source: `${'('.repeat(5000)}1${')'.repeat(5000)}` });
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('nesting depth limit of 100') });
  });
});

describe('isExpression / isSecretRef', () => {
  it('matches only exact single-key objects', () => {
    expect(isExpression({ $expr: '1' })).toBe(true);
    expect(isExpression({ $expr: '1', other: 2 })).toBe(false);
    expect(isExpression('{"$expr":"1"}')).toBe(false);
    expect(isExpression({ $expr: 1 })).toBe(false);
    expect(isExpression([{ $expr: '1' }])).toBe(false);
    expect(isSecretRef({ $secret: 'ERP_TOKEN' })).toBe(true);
    expect(isSecretRef({ $secret: 'ERP_TOKEN', x: 1 })).toBe(false);
  });
});

describe('prototype tricks (in-thread, where pollution would be visible)', () => {
  const data = { payload: { a: 1 }, vars: {}, env: {}, meta: {}, error: null };
  const sources = [
    '$.constructor',
    '$lookup($, "constructor")',
    '$.__proto__',
    'payload.constructor.prototype',
    '{"__proto__": {"polluted": 1}}',
    '$ ~> |$|{"__proto__": {"polluted": 1}}|',
    '$ ~> |payload|{"constructor": {"prototype": {"polluted": 1}}}|',
    '$merge([{}, {"__proto__": {"polluted": 1}}])',
  ];
  for (const source of sources) {
    it(`${source} reaches no prototype and returns only data`, async () => {
      const outcome = await evaluateInThread({
        source,
        data: structuredClone(data),
        bindings: {},
        limits: EXPRESSION_LIMITS,
      });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
      if (outcome.ok && typeof outcome.value === 'object' && outcome.value !== null) {
        expect(Object.getPrototypeOf(outcome.value)).toBe(Object.prototype);
        expect(typeof (outcome.value as Record<string, unknown>).constructor).toBe('function');
        expect((outcome.value as Record<string, unknown>).polluted).toBeUndefined();
      } else if (outcome.ok) {
        expect(outcome.value).toBeUndefined();
      } else {
        expect(outcome.failure.kind).toBe('result');
      }
    });
  }
});
