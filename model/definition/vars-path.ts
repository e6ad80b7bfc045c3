import { z } from 'zod';

/**
 * A dot/bracket path under `vars` (SPEC §4.2): `vars.total`, `vars.lines[0].sku`.
 * Segments are identifiers or non-negative indexes; `__proto__`, `prototype` and
 * `constructor` are refused so a path can never reach an object's prototype.
 */
export const VARS_PATH_PATTERN = /^vars(\.[A-Za-z_$][A-Za-z0-9_$]*|\[\d+\])+$/;
const FORBIDDEN_SEGMENT = /(^|\.)(__proto__|prototype|constructor)(\.|\[|$)/;

/**
 * The largest index a path may write (as many elements as forEach may have items): writing
 * `vars.x[99999999]` made a 100-million-slot array whose serialisation took the worker, which
 * all tenants share, down with it.
 */
export const MAX_VARS_INDEX = 9_999;

/** The first index in `path` past MAX_VARS_INDEX, or null. */
export function oversizedIndex(path: string): number | null {
  for (const match of path.matchAll(/\[(\d+)\]/g)) if (Number(match[1]) > MAX_VARS_INDEX) return Number(match[1]);
  return null;
}

export const VARS_INDEX_MESSAGE = `an index may be at most ${MAX_VARS_INDEX}`;

export const ZVarsPath = z
  .string()
  .regex(VARS_PATH_PATTERN, 'must be a path under vars, such as vars.total or vars.lines[0].sku')
  .refine((path) => !FORBIDDEN_SEGMENT.test(path), 'must not use __proto__, prototype or constructor')
  .refine((path) => oversizedIndex(path) === null, VARS_INDEX_MESSAGE);

/** Splits `vars.lines[0].sku` into `['lines', 0, 'sku']` (without the leading `vars`). */
export function parseVarsPath(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const match of path.slice('vars'.length).matchAll(/\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]/g)) {
    segments.push(match[1] !== undefined ? match[1] : Number(match[2]));
  }
  return segments;
}
