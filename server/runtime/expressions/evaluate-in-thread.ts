import { compileExpression, type TCompiledExpression } from './compile-expression';
import type { TExpressionOutcome } from './expression-failure';
import type { TExpressionBindings } from './expression-envelope';
import type { TExpressionLimits } from './expression-limits';
import { toExpressionFailure } from './to-expression-failure';
import { toPlainJson } from './to-plain-json';

/**
 * Evaluates with the in-thread guards only (jsonata's guardrails, guarded built-ins, the exit
 * hook, the output copy). Runs inside an expression worker, which adds what no in-thread
 * check can: a wall-clock kill for native code (regex backtracking) and a heap cap.
 * `data` must be the caller's own copy (the worker receives a structured clone): jsonata
 * does not write to its input, but this keeps the envelope safe even if it ever did.
 */
export async function evaluateInThread(input: {
  source: string;
  data?: unknown;
  bindings: TExpressionBindings;
  limits: TExpressionLimits;
  /** `source` compiled under `limits`, when the caller has it already (evaluateExpression). */
  compiled?: TCompiledExpression;
}): Promise<TExpressionOutcome> {
  const compiled = input.compiled ?? (await compileExpression({ source: input.source, limits: input.limits }));
  if (!compiled.ok) return compiled;
  let result: unknown;
  try {
    result = await compiled.expression.evaluate(input.data, { ...input.bindings });
  } catch (error) {
    return { ok: false, failure: toExpressionFailure(error) };
  }
  return toPlainJson({ value: result, limits: input.limits });
}
