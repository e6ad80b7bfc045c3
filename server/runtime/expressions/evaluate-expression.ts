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
  const limits: TExpressionLimits = { ...EXPRESSION_LIMITS, ...input.limits };
  const envelope = ZExpressionEnvelope.safeParse(input.envelope);
  if (!envelope.success) throw validationErrorFromZod(envelope.error, 'Expression envelope');
  const bindings = ZExpressionBindings.safeParse(input.bindings ?? {});
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
