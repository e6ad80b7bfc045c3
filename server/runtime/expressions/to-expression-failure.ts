import { ExpressionAbort } from './expression-abort';
import type { TExpressionFailure } from './expression-failure';

/** jsonata's own guardrail codes (enabled through its `timeout`/`stack`/`sequence` options). */
const LIMIT_BY_JSONATA_CODE = {
  D1011: 'maxDepth',
  D1012: 'timeMs',
  D2014: 'maxSequenceLength',
  D2015: 'maxSequenceLength',
} as const;

function isLimitCode(code: string): code is keyof typeof LIMIT_BY_JSONATA_CODE {
  return Object.prototype.hasOwnProperty.call(LIMIT_BY_JSONATA_CODE, code);
}

/**
 * Classifies anything an evaluation threw. jsonata throws plain objects `{ code, position,
 * message }`; V8 throws RangeError when a stack, string or array outgrows what it allows.
 */
export function toExpressionFailure(error: unknown): TExpressionFailure {
  if (error instanceof ExpressionAbort) return error.failure;
  if (error instanceof RangeError) {
    if (/call stack/i.test(error.message)) return { kind: 'limit', limit: 'maxDepth' };
    if (/string length/i.test(error.message)) return { kind: 'limit', limit: 'maxStringLength' };
    if (/array length/i.test(error.message)) return { kind: 'limit', limit: 'maxSequenceLength' };
  }
  if (typeof error === 'object' && error !== null) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    const message = 'message' in error && typeof error.message === 'string' ? error.message : String(code ?? error);
    const position = 'position' in error && typeof error.position === 'number' ? error.position : undefined;
    if (code && isLimitCode(code)) return { kind: 'limit', limit: LIMIT_BY_JSONATA_CODE[code] };
    if (code?.startsWith('S0')) return { kind: 'syntax', message, position };
    return { kind: 'evaluation', message, position };
  }
  return { kind: 'evaluation', message: String(error) };
}
