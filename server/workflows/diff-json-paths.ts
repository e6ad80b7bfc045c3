import 'server-only';
import { joinPath } from '@/model/definition/problem';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The paths at which two JSON values differ, as deep as both sides keep the same shape:
 * `config.input.url`, `retry.maxAttempts`, `assign["vars.total"]`… An array whose length
 * changed is reported as one path (its items shifted, so item-wise paths would mislead).
 * `base` names the root ('' reports a changed root as '').
 */
export function diffJsonPaths(before: unknown, after: unknown, base = ''): string[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => diffJsonPaths(before[key], after[key], joinPath(base, key)));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, index) => diffJsonPaths(item, after[index], joinPath(base, index)));
  }
  if (before === after) return [];
  // Scalars of different value, different kinds, or arrays of different length.
  return [base];
}
