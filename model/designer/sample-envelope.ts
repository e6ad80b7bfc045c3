import type { TScopeEntry } from '@/model/designer/expression-scope';
import { pathSegments, setAtPath } from '@/model/designer/step-tree';

function placeholder(type: string | null): unknown {
  switch (type) {
    case 'string':
      return '';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return null;
  }
}

export type TSampleEnvelope = {
  payload: unknown;
  vars: Record<string, unknown>;
  env: Record<string, string>;
  error?: { code: string; message: string };
};
export type TSampleBindings = { item?: unknown; index?: number };

/**
 * A starting point for "try it": every name the scope offers, filled with an empty value of
 * its type (`payload.amount` → 0), the env vars with their real values, a sample error inside
 * catch and `$item`/`$index` inside a forEach. People then edit it to the case they want.
 */
export function sampleEnvelope(
  scope: readonly TScopeEntry[],
  envValues: Record<string, string> = {},
): { sample: TSampleEnvelope; bindings: TSampleBindings | null } {
  let payload: unknown = {};
  let vars: unknown = {};
  // Parents first, so a child's placeholder replaces its parent's empty object and not the reverse.
  const ordered = [...scope].sort((a, b) => a.path.length - b.path.length);
  for (const entry of ordered) {
    // Quoted names (`unit price`) and array items are left for people to fill in.
    if (entry.path.includes('`')) continue;
    const [root, ...rest] = pathSegments(entry.path);
    if (rest.length === 0) continue;
    if (root === 'payload') payload = setAtPath(payload, rest, placeholder(entry.type));
    if (root === 'vars') vars = setAtPath(vars, rest, placeholder(entry.type));
  }
  const sample: TSampleEnvelope = { payload, vars: vars as Record<string, unknown>, env: { ...envValues } };
  if (scope.some((entry) => entry.source === 'error')) sample.error = { code: 'HTTP', message: 'Sample error' };
  const bindings = scope.some((entry) => entry.path === '$item') ? { item: null, index: 0 } : null;
  return { sample, bindings };
}
