import type { TScopeEntry } from '@/model/designer/expression-scope';

/** A scope as `lookupPath` reads it: entries by path, implied parents included. */
export type TScopeIndex = {
  /** The entry at `path`, or the parent a deeper entry implies (`vars.a.b` set makes `vars.a` an object). */
  get(path: string): TScopeEntry | undefined;
  /** Whether `error` is readable here (inside a catch, or after a step that continues on error). */
  hasError: boolean;
  /** The paths one level under `path`, in the order the scope lists them (for messages; may be slow). */
  childrenOf(path: string): string[];
};

/**
 * The parents a path implies, outermost first: assigning `vars.summary.day` makes `vars.summary`
 * an object, `vars.log[0].what` makes `vars.log` an array. A root (`vars`) is not one.
 */
export function impliedParents(path: string): Array<{ parent: string; type: 'array' | 'object' }> {
  const parents: Array<{ parent: string; type: 'array' | 'object' }> = [];
  for (const cut of path.matchAll(/[.[]/g)) {
    const parent = path.slice(0, cut.index);
    if (parent.includes('.')) parents.push({ parent, type: cut[0] === '[' ? 'array' : 'object' });
  }
  return parents;
}

/** The index of a scope given as a list (the picker's, a test's): an implied parent takes the first entry under it. */
export function indexOfEntries(scope: readonly TScopeEntry[]): TScopeIndex {
  const byPath = new Map(scope.map((entry) => [entry.path, entry]));
  for (const entry of scope)
    for (const { parent, type } of impliedParents(entry.path))
      if (!byPath.has(parent)) byPath.set(parent, { ...entry, path: parent, type });
  return {
    get: (path) => byPath.get(path),
    hasError: scope.some((entry) => entry.source === 'error'),
    childrenOf: (path) =>
      [...byPath.keys()].filter((other) => other.startsWith(`${path}.`) && !other.slice(path.length + 1).includes('.')),
  };
}
