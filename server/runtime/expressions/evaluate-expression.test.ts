import { afterAll, describe, expect, it } from 'vitest';
import { closeExpressionPool } from './close-expression-pool';
import { evaluateExpression } from './evaluate-expression';
import type { TExpressionEnvelope } from './expression-envelope';

const envelope: TExpressionEnvelope = {
  payload: {
    customer: { name: 'Ada Lovelace' },
    lines: [
      { sku: 'A', qty: 2, price: 5 },
      { sku: 'B', qty: 1, price: 7.5 },
    ],
    text: '{"$expr":"1+1"}',
  },
  vars: { threshold: 10, x: { $expr: 'payload.customer.name' } },
  env: { REGION: 'eu' },
  meta: { runId: 'r1', stepId: 'calc', attempt: 1 },
  error: null,
};

afterAll(closeExpressionPool);

describe('evaluateExpression', () => {
  it('reads paths across the envelope', async () => {
    await expect(evaluateExpression({ source: 'payload.customer.name', envelope })).resolves.toBe('Ada Lovelace');
    await expect(evaluateExpression({ source: 'env.REGION & "/" & meta.runId', envelope })).resolves.toBe('eu/r1');
    await expect(evaluateExpression({ source: 'payload.lines[qty > 1].sku', envelope })).resolves.toBe('A');
  });

  it('does arithmetic, $sum and string functions', async () => {
    await expect(evaluateExpression({ source: '$sum(payload.lines.(qty * price))', envelope })).resolves.toBe(17.5);
    await expect(
      evaluateExpression({ source: '$sum(payload.lines.(qty * price)) > vars.threshold', envelope }),
    ).resolves.toBe(true);
    await expect(
      evaluateExpression({ source: '$uppercase($substringBefore(payload.customer.name, " "))', envelope }),
    ).resolves.toBe('ADA');
    await expect(evaluateExpression({ source: '$join(payload.lines.sku, ",")', envelope })).resolves.toBe('A,B');
  });

  it('constructs objects and arrays as plain JSON', async () => {
    const result = await evaluateExpression({
      source: '{ "total": $sum(payload.lines.(qty*price)), "skus": [payload.lines.sku] }',
      envelope,
    });
    expect(result).toEqual({ total: 17.5, skus: ['A', 'B'] });
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });

  it('binds $item and $index', async () => {
    await expect(
      evaluateExpression({ source: '$item.sku & "#" & $index', envelope, bindings: { item: { sku: 'C' }, index: 3 } }),
    ).resolves.toBe('C#3');
  });

  it('returns undefined when nothing matches, and drops undefined inside results', async () => {
    await expect(evaluateExpression({ source: 'payload.missing', envelope })).resolves.toBeUndefined();
    await expect(evaluateExpression({ source: '{ "a": payload.missing, "b": 1 }', envelope })).resolves.toEqual({
      b: 1,
    });
  });

  it('returns user data that looks like an expression as data, never evaluating it', async () => {
    await expect(evaluateExpression({ source: 'payload.text', envelope })).resolves.toBe('{"$expr":"1+1"}');
    await expect(evaluateExpression({ source: 'vars.x', envelope })).resolves.toEqual({
      $expr: 'payload.customer.name',
    });
  });

  it('refuses $eval, which would evaluate data', async () => {
    await expect(evaluateExpression({ source: '$eval(payload.text)', envelope, stepId: 'calc' })).rejects.toMatchObject(
      {
        code: 'EXPRESSION',
        retryable: false,
        message: expect.stringContaining('$eval is disabled'),
      },
    );
  });

  it('reports evaluation errors as non-retryable EXPRESSION errors naming the step', async () => {
    const error = await evaluateExpression({
      source: '$number("abc") + $unknownFn(1)',
      envelope,
      stepId: 'calc',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'ExpressionError',
      code: 'EXPRESSION',
      retryable: false,
      stepId: 'calc',
      status: 422,
    });
    expect((error as Error).message).toMatch(/^Step "calc": expression failed/);
  });

  it('never mutates the envelope', async () => {
    const before = structuredClone(envelope);
    await evaluateExpression({ source: '$ ~> |payload.lines|{"qty": 99}|', envelope });
    expect(envelope).toEqual(before);
  });

  it('sees only the five parts of the envelope, and refuses one whose parts are not records', async () => {
    const extra = { ...envelope, hidden: 'not part of the envelope' } as TExpressionEnvelope;
    await expect(evaluateExpression({ source: '$keys($)', envelope: extra })).resolves.toEqual([
      'payload',
      'vars',
      'env',
      'meta',
      'error',
    ]);
    for (const bad of [
      { ...envelope, vars: [1, 2] },
      { ...envelope, meta: new Map() },
      { ...envelope, env: null },
    ])
      await expect(
        evaluateExpression({ source: '1', envelope: bad as unknown as TExpressionEnvelope }),
      ).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/Expression envelope/) });
  });

  it('rejects bindings other than $item and $index', async () => {
    const bindings = { eval: 1 } as unknown as { item: unknown };
    await expect(evaluateExpression({ source: '1', envelope, bindings })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
