import type { TExpressionFailure } from './expression-failure';
import type { TExpressionLimits } from './expression-limits';

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);

/**
 * Checks length and bracket nesting before jsonata parses the source: its parser is
 * recursive descent, so a 5000-deep `((((…` would overflow the stack rather than fail cleanly.
 * Brackets inside string literals, quoted names and comments do not count; brackets inside
 * regex literals do (telling `/` apart from division needs a parser), which only errs strict.
 */
export function scanExpressionSource(input: {
  source: string;
  limits: Pick<TExpressionLimits, 'maxNesting' | 'maxSourceLength'>;
}): TExpressionFailure | null {
  const { source, limits } = input;
  if (source.length > limits.maxSourceLength) return { kind: 'limit', limit: 'maxSourceLength' };
  let depth = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '"' || ch === "'" || ch === '`') {
      i = skipQuoted(source, i, ch);
      continue;
    }
    if (ch === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? source.length : end + 2;
      continue;
    }
    if (OPENERS.has(ch)) {
      depth++;
      if (depth > limits.maxNesting) return { kind: 'limit', limit: 'maxNesting' };
    } else if (CLOSERS.has(ch)) {
      depth = Math.max(0, depth - 1);
    }
    i++;
  }
  return null;
}

/** Index just past the closing quote (or the end of the source when it is unterminated). */
function skipQuoted(source: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\\' && quote !== '`') {
      i += 2;
      continue;
    }
    if (ch === quote) return i + 1;
    i++;
  }
  return source.length;
}
