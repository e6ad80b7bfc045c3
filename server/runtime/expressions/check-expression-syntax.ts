import jsonata from 'jsonata';
import { ExpressionError } from './expression-error';
import { EXPRESSION_LIMITS } from './expression-limits';
import { scanExpressionSource } from './scan-expression-source';
import { toExpressionFailure } from './to-expression-failure';

export type TExpressionSyntaxCheck = { ok: true } | { ok: false; message: string; position?: number };

/**
 * Publish-time check: parses without evaluating. In-thread and worker-free on purpose (only
 * jsonata's parser runs, after the length/nesting scan that keeps it from overflowing), so
 * it is safe to call from a server action.
 *
 * @example checkExpressionSyntax({ source: 'payload.(' }) // { ok: false, message: '…', position: 9 }
 */
export function checkExpressionSyntax(input: { source: string } | string): TExpressionSyntaxCheck {
  const source = typeof input === 'string' ? input : input.source;
  const failure = scanExpressionSource({ source, limits: EXPRESSION_LIMITS }) ?? parseFailure(source);
  if (!failure) return { ok: true };
  const error = ExpressionError.fromFailure({ failure, limits: EXPRESSION_LIMITS });
  return { ok: false, message: error.message, ...(error.position === undefined ? {} : { position: error.position }) };
}

function parseFailure(source: string): ReturnType<typeof toExpressionFailure> | null {
  try {
    jsonata(source);
    return null;
  } catch (error) {
    return toExpressionFailure(error);
  }
}
