import { parseVarsPath } from '@/server/workflows/definition/vars-path';

/**
 * Writes `value` at a `vars.…` path, creating objects and arrays on the way. Segments were
 * validated at publish (no `__proto__`/`constructor`), and objects are created without a
 * prototype chain to reach through anyway.
 */
export function applyAssignment(vars: Record<string, unknown>, path: string, value: unknown): void {
  const segments = parseVarsPath(path);
  let node: Record<string | number, unknown> = vars;
  segments.forEach((segment, index) => {
    if (index === segments.length - 1) {
      node[segment] = value;
      return;
    }
    const nextIsIndex = typeof segments[index + 1] === 'number';
    const current = node[segment];
    if (typeof current !== 'object' || current === null) node[segment] = nextIsIndex ? [] : {};
    node = node[segment] as Record<string | number, unknown>;
  });
}
