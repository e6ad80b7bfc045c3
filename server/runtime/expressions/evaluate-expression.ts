import { validationErrorFromZod } from '@/model/errors';
import { sharedExpressionPool } from './close-expression-pool';
import { compileExpression } from './compile-expression';
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
  const compiled = await compileExpression({ source: input.source, limits });
  if (!compiled.ok) throw ExpressionError.fromFailure({ failure: compiled.failure, limits, stepId: input.stepId });
  // The evaluation gets its own copy of the envelope (a structured clone, in-thread or on the
  // way to a worker), so nothing it does can touch the caller's objects, and the result is a
  // fresh copy too. Only what could run native code unchecked pays for a worker thread.
  const outcome = input.pool
    ? await input.pool.run({ source: input.source, data: envelope.data, bindings: bindings.data, limits })
    : compiled.inThread
      ? await evaluateInThread({
          source: input.source,
          data: structuredClone(envelope.data),
          bindings: bindings.data,
          limits,
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
