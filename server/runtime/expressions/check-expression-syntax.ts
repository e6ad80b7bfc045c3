import jsonata from 'jsonata';
import { ExpressionError } from './expression-error';
import { EXPRESSION_LIMITS } from './expression-limits';
import { LruCache } from './lru-cache';
import { rememberExpressionAst } from '../../../model/designer/expression-reads';
import { scanExpressionSource } from './scan-expression-source';
import { toExpressionFailure } from './to-expression-failure';

export type TExpressionSyntaxCheck = Readonly<{ ok: true } | { ok: false; message: string; position?: number }>;

/**
 * Checks by source. jsonata builds its whole parser (every operator's symbol) on each parse,
 * ~0.06 ms of CPU, and the designer's live check re-checks every expression of the definition
 * after each edit: an unchanged source is parsed once. The answer depends on the source alone
 * (the limits are constants), so an edited expression is a new key. Bounded in entries, and
 * only sources up to CACHED_SOURCE_LENGTH characters are kept (at most ~10 MB held).
 */
const checksBySource = new LruCache<string, TExpressionSyntaxCheck>(5_000);
const CACHED_SOURCE_LENGTH = 2_048;

/** Forgets every cached check (for benches that time a cold check). */
export function clearExpressionSyntaxCache(): void {
  checksBySource.clear();
}

/**
 * Publish-time check: parses without evaluating. In-thread and worker-free on purpose (only
 * jsonata's parser runs, after the length/nesting scan that keeps it from overflowing), so
 * it is safe to call from a server action.
 *
 * @example checkExpressionSyntax({ source: 'payload.(' }) // { ok: false, message: '…', position: 9 }
 */
export function checkExpressionSyntax(input: { source: string } | string): TExpressionSyntaxCheck {
  const source = typeof input === 'string' ? input : input.source;
  const cached = checksBySource.get(source);
  if (cached) return cached;
  const check = Object.freeze(syntaxCheckOf(source));
  if (source.length <= CACHED_SOURCE_LENGTH) checksBySource.set(source, check);
  return check;
}

function syntaxCheckOf(source: string): TExpressionSyntaxCheck {
  const failure = scanExpressionSource({ source, limits: EXPRESSION_LIMITS }) ?? parseFailure(source);
  if (!failure) return { ok: true };
  const error = ExpressionError.fromFailure({ failure, limits: EXPRESSION_LIMITS });
  return { ok: false, message: error.message, ...(error.position === undefined ? {} : { position: error.position }) };
}

function parseFailure(source: string): ReturnType<typeof toExpressionFailure> | null {
  try {
    // The data flow check reads the same expressions next: it takes this parse's tree.
    rememberExpressionAst(source, jsonata(source).ast());
    return null;
  } catch (error) {
    return toExpressionFailure(error);
  }
}
