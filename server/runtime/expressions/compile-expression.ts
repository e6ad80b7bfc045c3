import jsonata from 'jsonata';
import { ExpressionAbort } from './expression-abort';
import type { TExpressionFailure } from './expression-failure';
import type { TExpressionLimits } from './expression-limits';
import { guardedBuiltins } from './guarded-builtins';
import { LruCache } from './lru-cache';
import { runsInThread } from './runs-in-thread';
import { scanExpressionSource } from './scan-expression-source';
import { toExpressionFailure } from './to-expression-failure';

/** `inThread`: safe to evaluate on the caller's thread (runsInThread); otherwise only in a pool worker. */
export type TCompiledExpression =
  { ok: true; expression: jsonata.Expression; inThread: boolean } | { ok: false; failure: TExpressionFailure };

/**
 * The limits' part of a cache key, kept per limits object: the same object (EXPRESSION_LIMITS,
 * or the one an evaluation built) is looked up twice per evaluation, once per step expression.
 */
const limitsKeys = new WeakMap<TExpressionLimits, string>();

function limitsKey(limits: TExpressionLimits): string {
  let key = limitsKeys.get(limits);
  if (key === undefined) {
    key = JSON.stringify(limits);
    limitsKeys.set(limits, key);
  }
  return key;
}

/** Workflows reuse a few hundred distinct expressions at most; parsing is the costly part. */
const CACHE_CAPACITY = 500;
/** A compilation, and its outcome once it has one: a cached expression is then handed over without an await. */
type TCacheEntry = { compiled: Promise<TCompiledExpression>; settled: TCompiledExpression | null };
const cache = new LruCache<string, TCacheEntry>(CACHE_CAPACITY);

/** The hook jsonata looks up after evaluating every node (its test suite's `timeboxExpression` uses the entry twin). */
const EVALUATE_EXIT = Symbol.for('jsonata.__evaluate_exit');

type TSymbolAssign = { assign(name: symbol, value: unknown): void };

/**
 * Parses `source` once per (source, limits) and caches the guarded expression in an LRU.
 * Limits are part of the key because jsonata reads its guardrail options at compile time.
 * Failures (syntax, nesting) are cached too: they are as deterministic as successes.
 */
export function compileExpression(input: { source: string; limits: TExpressionLimits }): Promise<TCompiledExpression> {
  return cacheEntry(input).compiled;
}

/**
 * The same, as a value when the expression was compiled before (every step's expression after
 * a version's first run): evaluating it then costs no await and no promise.
 */
export function compiledExpression(input: {
  source: string;
  limits: TExpressionLimits;
}): TCompiledExpression | Promise<TCompiledExpression> {
  const entry = cacheEntry(input);
  return entry.settled ?? entry.compiled;
}

function cacheEntry(input: { source: string; limits: TExpressionLimits }): TCacheEntry {
  const key = `${limitsKey(input.limits)}\n${input.source}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const entry: TCacheEntry = { compiled: compileUncached(input), settled: null };
  // A rejection is the caller's to see, through `compiled`.
  entry.compiled.then(
    (outcome) => {
      entry.settled = outcome;
    },
    () => undefined,
  );
  cache.set(key, entry);
  return entry;
}

async function compileUncached(input: { source: string; limits: TExpressionLimits }): Promise<TCompiledExpression> {
  const { source, limits } = input;
  const refused = scanExpressionSource({ source, limits });
  if (refused) return { ok: false, failure: refused };
  let expression: jsonata.Expression;
  try {
    // jsonata's guardrails: `timeout` and `stack` are checked on entry to every node,
    // `sequence` on every sequence push and before a range `[a..b]` is allocated.
    expression = jsonata(source, {
      timeout: limits.timeMs,
      stack: limits.maxDepth,
      sequence: limits.maxSequenceLength,
    });
  } catch (error) {
    return { ok: false, failure: toExpressionFailure(error) };
  }
  for (const builtin of await guardedBuiltins({ limits })) {
    expression.registerFunction(builtin.name, builtin.implementation, builtin.signature);
  }
  (expression as unknown as TSymbolAssign).assign(
    EVALUATE_EXIT,
    (_node: unknown, _input: unknown, _env: unknown, result: unknown) => {
      checkIntermediate(result, limits);
    },
  );
  return { ok: true, expression, inThread: runsInThread(expression.ast()) };
}

/**
 * Every node's result is checked as it is produced, so string concatenation and array
 * constructors (which bypass jsonata's sequence counter) stop within one step of a limit.
 */
function checkIntermediate(result: unknown, limits: TExpressionLimits): void {
  if (typeof result === 'string' && result.length > limits.maxStringLength) {
    throw new ExpressionAbort({ kind: 'limit', limit: 'maxStringLength' });
  }
  if (Array.isArray(result) && result.length > limits.maxSequenceLength) {
    throw new ExpressionAbort({ kind: 'limit', limit: 'maxSequenceLength' });
  }
}
