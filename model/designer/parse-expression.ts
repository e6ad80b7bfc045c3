import jsonata from 'jsonata';

export type TSyntaxProblem = {
  message: string;
  /** 0-based index of the offending character in the source (the end for "unexpected end"). */
  index: number;
  /** 1-based, for people. */
  line: number;
  column: number;
};

function isParseError(error: unknown): error is { message: string; position?: number; code?: string } {
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

/**
 * Parses JSONata without evaluating it (safe in the browser: nothing runs) and locates the
 * first syntax error. jsonata reports `position` as the 1-based offset of the end of the
 * token it stumbled on; that becomes a line and column here.
 *
 * @example parseExpression('payload.(') // { message: 'Expected ")" before end of expression', index: 8, line: 1, column: 9 }
 */
export function parseExpression(source: string): TSyntaxProblem | null {
  if (source.trim() === '') return { message: 'The expression is empty', index: 0, line: 1, column: 1 };
  try {
    jsonata(source);
    return null;
  } catch (error) {
    if (!isParseError(error)) throw error;
    const index = Math.min(Math.max((error.position ?? source.length) - 1, 0), source.length);
    const before = source.slice(0, index);
    const line = before.split('\n').length;
    const column = index - (before.lastIndexOf('\n') + 1) + 1;
    return { message: error.message, index, line, column };
  }
}
