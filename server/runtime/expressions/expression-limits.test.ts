import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeExpressionPool, sharedExpressionPool } from './close-expression-pool';
import { evaluateExpression } from './evaluate-expression';
import type { TExpressionEnvelope } from './expression-envelope';
import { ExpressionError } from './expression-error';

const envelope: TExpressionEnvelope = { payload: { n: 3 }, vars: {}, env: {}, meta: {}, error: null };
const CATASTROPHIC_REGEX = '$match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)';
/**
 * These tests are about an evaluation being stopped at all (unstopped, a catastrophic regex
 * runs for hours); the bound only catches a stop that waits for something else, such as a
 * whole queue. How fast the stop is belongs to bench/expressions.ts, not to a test on a busy
 * machine, so the bound is ten times the 1 s limit.
 */
const WITHIN_MS = 10_000;

/** Runs a hostile expression and returns its ExpressionError and how long it took. */
async function hostile(source: string): Promise<{ error: ExpressionError; elapsedMs: number }> {
  const started = performance.now();
  const error = await evaluateExpression({ source, envelope, stepId: 'calc' }).then(
    (value: unknown) => new Error(`expected a failure, got ${JSON.stringify(value)?.slice(0, 80)}`),
    (e: unknown) => e,
  );
  const elapsedMs = performance.now() - started;
  if (!(error instanceof ExpressionError)) throw error;
  expect(error).toMatchObject({ code: 'EXPRESSION', retryable: false, stepId: 'calc' });
  return { error, elapsedMs };
}

beforeAll(async () => {
  // Boot the workers first so their start-up (tsx, jsonata) is not on any test's clock.
  await Promise.all([1, 2].map(() => evaluateExpression({ source: '1', envelope })));
});
afterAll(closeExpressionPool);

describe('expression limits', () => {
  it('stops infinite recursion', async () => {
    const { error, elapsedMs } = await hostile('($f := function($x){ $f($x) }; $f(1))');
    // A tail call runs in constant depth, so the clock is what stops it.
    expect(error.message).toBe('Step "calc": expression exceeded the time limit of 1000 ms');
    expect(error.limit).toBe('timeMs');
    expect(elapsedMs).toBeLessThan(WITHIN_MS);
  });

  it('stops non-tail recursion at the depth limit', async () => {
    const { error, elapsedMs } = await hostile('($f := function($x){ 1 + $f($x) }; $f(1))');
    expect(error.message).toBe('Step "calc": expression exceeded the evaluation depth limit of 500');
    expect(elapsedMs).toBeLessThan(WITHIN_MS);
  });

  it('refuses a huge range before allocating it', async () => {
    const { error, elapsedMs } = await hostile('[1..9999999].([1..9999999])');
    expect(error.message).toBe('Step "calc": expression exceeded the sequence length limit of 100000 items');
    expect(elapsedMs).toBeLessThan(WITHIN_MS);
  });

  it('refuses an array constructor beyond the sequence limit', async () => {
    // Items of an array constructor are pushed onto a plain array, not a counted sequence:
    // the exit hook catches it.
    const { error } = await hostile('$count([1..60000, 60001..120000])');
    expect(error.limit).toBe('maxSequenceLength');
  });

  it('refuses $pad to 200 million characters', async () => {
    const { error, elapsedMs } = await hostile('$pad("x", 200000000)');
    expect(error.message).toBe('Step "calc": expression exceeded the string length limit of 1000000 characters');
    expect(elapsedMs).toBeLessThan(WITHIN_MS);
  });

  it('refuses string concatenation growth', async () => {
    const { error } = await hostile('($s := $pad("x", 900000); $s & $s & $s)');
    expect(error.limit).toBe('maxStringLength');
  });

  it('refuses $join of a result longer than the string limit', async () => {
    const { error } = await hostile('($s := $pad("x", 20000); $join([1..100].($s), ""))');
    expect(error.limit).toBe('maxStringLength');
  });

  it('kills catastrophic regex backtracking that no in-thread check can interrupt', async () => {
    const { error, elapsedMs } = await hostile(CATASTROPHIC_REGEX);
    expect(error.message).toBe('Step "calc": expression exceeded the time limit of 1000 ms');
    expect(elapsedMs).toBeLessThan(WITHIN_MS);
  });

  it('refuses a 5000-deep parenthesised expression', async () => {
    const { error, elapsedMs } = await hostile(`${'('.repeat(5000)}1${')'.repeat(5000)}`);
    expect(error.message).toBe('Step "calc": expression exceeded the nesting depth limit of 100');
    expect(elapsedMs).toBeLessThan(WITHIN_MS);
  });

  it('refuses a deeply nested object constructor', async () => {
    const { error } = await hostile(`${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`);
    expect(error.limit).toBe('maxNesting');
  });

  it('refuses a result over 256 KiB', async () => {
    const { error, elapsedMs } = await hostile('$pad("x", 300000)');
    expect(error.message).toBe('Step "calc": expression exceeded the output size limit of 262144 bytes');
    expect(elapsedMs).toBeLessThan(WITHIN_MS);
  });

  it('refuses a large constructed result', async () => {
    const { error } = await hostile('[1..1000].{"key": $pad("v", 300)}');
    expect(error.limit).toBe('maxOutputBytes');
  });

  it('refuses function results', async () => {
    const { error } = await hostile('function($x){ $x + 1 }');
    expect(error.message).toBe('Step "calc": expression result is not plain JSON: a function value cannot be returned');
    await expect(evaluateExpression({ source: '{"f": $uppercase}', envelope })).rejects.toBeInstanceOf(ExpressionError);
  });

  it('refuses non-finite numbers', async () => {
    const { error } = await hostile('1/0');
    expect(error.message).toContain('Infinity is not a JSON number');
  });

  it('applies limits given by the caller', async () => {
    await expect(
      evaluateExpression({ source: '"abcdef"', envelope, limits: { maxOutputBytes: 4 } }),
    ).rejects.toMatchObject({ limit: 'maxOutputBytes' });
  });
});

describe('expression pool', () => {
  it('recovers after a worker is killed', async () => {
    const pool = sharedExpressionPool();
    const before = pool.spawned;
    await hostile(CATASTROPHIC_REGEX);
    expect(pool.spawned).toBe(before + 1);
    await expect(evaluateExpression({ source: 'payload.n * 2', envelope })).resolves.toBe(6);
  });

  it('keeps answering ordinary evaluations while a hostile one times out', async () => {
    const slow = hostile(CATASTROPHIC_REGEX);
    const ordinary = Array.from({ length: 20 }, (_, i) =>
      evaluateExpression({
        source: 'payload.n * $index',
        envelope: { ...envelope, payload: { n: i } },
        bindings: { index: i },
      }),
    );
    await expect(Promise.all(ordinary)).resolves.toEqual(Array.from({ length: 20 }, (_, i) => i * i));
    const { error } = await slow;
    expect(error.limit).toBe('timeMs');
  });
});
