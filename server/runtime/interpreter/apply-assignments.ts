import 'server-only';
import { AppError } from '@/model/errors';
import { oversizedIndex, parseVarsPath, VARS_INDEX_MESSAGE } from '@/model/definition/vars-path';

function assertIndexesInBounds(path: string): void {
  const index = oversizedIndex(path);
  if (index !== null)
    throw new AppError('VALIDATION', `${path}: ${VARS_INDEX_MESSAGE} (got ${index})`, [
      { path, message: VARS_INDEX_MESSAGE },
    ]);
}

/**
 * Writes `value` at a `vars.…` path, creating objects and arrays on the way. Segments were
 * validated at publish (no `__proto__`/`constructor`), and objects are created without a
 * prototype chain to reach through anyway. An index past MAX_VARS_INDEX (also refused at
 * publish) is refused here as well, where the array would be built: one such array takes the
 * worker all tenants share down, so it is a VALIDATION error of the step instead.
 */
export function applyAssignment(vars: Record<string, unknown>, path: string, value: unknown): void {
  assertIndexesInBounds(path);
  const segments = parseVarsPath(path);
  let node: Record<string | number, unknown> = vars;
  segments.forEach((segment, at) => {
    if (at === segments.length - 1) {
      node[segment] = value;
      return;
    }
    const nextIsIndex = typeof segments[at + 1] === 'number';
    const current = node[segment];
    if (typeof current !== 'object' || current === null) node[segment] = nextIsIndex ? [] : {};
    node = node[segment] as Record<string | number, unknown>;
  });
}

/** Applies every assignment, or none: all paths are checked before the first is written, so a refused one leaves vars as they were. */
export function applyAssignments(
  vars: Record<string, unknown>,
  assignments: ReadonlyArray<{ path: string; value: unknown }>,
): void {
  for (const { path } of assignments) assertIndexesInBounds(path);
  for (const { path, value } of assignments) applyAssignment(vars, path, value);
}
