import { validationErrorFromZod } from '@/model/errors';
import { sharedExpressionPool } from './close-expression-pool';
import { compiledExpression } from './compile-expression';
import { evaluateInThread } from './evaluate-in-thread';
import { ExpressionError } from './expression-error';
import {
  ZExpressionBindings,
  ZExpressionEnvelope,
  type TExpressionBindings,
  type TExpressionEnvelope,
} from './expression-envelope';
import { EXPRESSION_LIMITS, type TExpressionLimits } from './expression-limits';
import type { ExpressionPool } from './expression-pool';

/** Thrown (one instance, never shown) inside copyPlainJson when a value is not plain JSON: the caller then uses structuredClone. */
const NOT_PLAIN = new Error('not plain JSON');
/** Deeper than this, the copy is left to structuredClone (values are bounded far below it: MAX_STORED_DEPTH). */
const MAX_COPY_DEPTH = 200;

function copyPlainJson(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') throw NOT_PLAIN;
    return value;
  }
  if (depth > MAX_COPY_DEPTH) throw NOT_PLAIN;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) {
      if (!(index in value)) throw NOT_PLAIN;
      out[index] = copyPlainJson(value[index], depth + 1);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = copyPlainJson((value as Record<string, unknown>)[key], depth + 1);
    // defineProperty keeps a "__proto__" key an own property of the copy.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}

/**
 * The evaluation's own copy of the envelope. Envelopes are plain JSON, which a walk copies about
 * five times faster than structuredClone (once per expression of every step); anything else
 * (a Date, a Map, a sparse array) is copied by structuredClone, as before.
 */
export function copyOfEnvelope<T>(envelope: T): T {
  try {
    return copyPlainJson(envelope, 0) as T;
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
    return structuredClone(envelope);
  }
}

const NO_BINDINGS = { success: true as const, data: {} as TExpressionBindings };

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The envelope's five parts, checked. The interpreter's envelopes (every step's expressions)
 * are plain objects and pass a shape check without zod's copy of vars, env and meta (each
 * expression is evaluated on a copy of its own anyway); anything else goes through the schema,
 * which says what is wrong.
 */
function checkedEnvelope(envelope: TExpressionEnvelope): ReturnType<typeof ZExpressionEnvelope.safeParse> {
  if (
    isPlainRecord(envelope) &&
    isPlainRecord(envelope.vars) &&
    isPlainRecord(envelope.env) &&
    isPlainRecord(envelope.meta)
  )
    return {
      success: true,
      data: {
        payload: envelope.payload,
        vars: envelope.vars,
        env: envelope.env,
        meta: envelope.meta,
        error: envelope.error,
      },
    };
  return ZExpressionEnvelope.safeParse(envelope);
}

/**
 * Evaluates a JSONata `source` against the run envelope under hard limits (SPEC §4.2): on this
 * thread when it cannot run native code unchecked (runsInThread), otherwise in the expression
 * worker pool. Resolves with plain JSON (`undefined` when the expression selects
 * nothing); rejects with a non-retryable ExpressionError naming `stepId` and the limit.
 *
 * @example await evaluateExpression({ source: '$sum(vars.lines.(qty * price))', envelope, stepId: 'calc' })
 */
export async function evaluateExpression(input: {
  source: string;
  envelope: TExpressionEnvelope;
  bindings?: TExpressionBindings;
  stepId?: string;
  limits?: Partial<TExpressionLimits>;
  /** Evaluate in this pool whatever the expression is, never on the calling thread (the web server's "try it"). */
  pool?: ExpressionPool;
}): Promise<unknown> {
  // The shared object when nothing is overridden (every step's expressions): its cache key is kept.
  const limits: TExpressionLimits = input.limits ? { ...EXPRESSION_LIMITS, ...input.limits } : EXPRESSION_LIMITS;
  const envelope = checkedEnvelope(input.envelope);
  if (!envelope.success) throw validationErrorFromZod(envelope.error, 'Expression envelope');
  const bindings = input.bindings === undefined ? NO_BINDINGS : ZExpressionBindings.safeParse(input.bindings);
  if (!bindings.success) throw validationErrorFromZod(bindings.error, 'Expression bindings');
  const ready = compiledExpression({ source: input.source, limits });
  const compiled = ready instanceof Promise ? await ready : ready;
  if (!compiled.ok) throw ExpressionError.fromFailure({ failure: compiled.failure, limits, stepId: input.stepId });
  // The evaluation gets its own copy of the envelope (copyOfEnvelope in-thread, a structured clone on the
  // way to a worker), so nothing it does can touch the caller's objects, and the result is a
  // fresh copy too. Only what could run native code unchecked pays for a worker thread.
  const outcome = input.pool
    ? await input.pool.run({ source: input.source, data: envelope.data, bindings: bindings.data, limits })
    : compiled.inThread
      ? await evaluateInThread({
          source: input.source,
          data: copyOfEnvelope(envelope.data),
          bindings: bindings.data,
          limits,
          compiled,
        })
      : await sharedExpressionPool().run({
          source: input.source,
          data: envelope.data,
          bindings: bindings.data,
          limits,
        });
  if (!outcome.ok) throw ExpressionError.fromFailure({ failure: outcome.failure, limits, stepId: input.stepId });
  return outcome.value;
}
