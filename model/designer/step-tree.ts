import type { TStep } from '@/model/definition/step';
import { joinPath } from '@/model/definition/problem';

/**
 * The designer's view of where nested pipes are, readable in the browser. The runtime's
 * `nestedPipesOf` (server/runtime/nodes) knows the same thing, but importing the node
 * registry would pull the interpreter into the client bundle; step-tree.test.ts checks that
 * both agree on every block type.
 */
export type TNestedPipe = {
  /** Relative to the step's config: `then`, `cases[1].steps`, `branches[0].steps`, `catch`. */
  path: string;
  /** What kind of pipe this is, for scope rules (`catch` sets `error`, `forEach` binds `$item`). */
  role: 'branch' | 'iteration' | 'parallel' | 'try' | 'catch' | 'finally';
  steps: TStep[];
};

type TConfig = Record<string, unknown>;

function stepsAt(value: unknown): TStep[] {
  return Array.isArray(value)
    ? value.filter(
        (item): item is TStep =>
          typeof item === 'object' &&
          item !== null &&
          typeof (item as TStep).id === 'string' &&
          typeof (item as TStep).type === 'string',
      )
    : [];
}

function listAt(config: TConfig, key: string): TConfig[] {
  const value = config[key];
  return Array.isArray(value)
    ? value.map((item) => (typeof item === 'object' && item !== null ? (item as TConfig) : {}))
    : [];
}

/** The nested pipes of a step, in display order; works on incomplete draft configs. */
export function nestedPipes(step: Pick<TStep, 'type' | 'config'>): TNestedPipe[] {
  const config: TConfig = typeof step.config === 'object' && step.config !== null ? step.config : {};
  switch (step.type) {
    case 'control.if':
      return [
        { path: 'then', role: 'branch', steps: stepsAt(config.then) },
        { path: 'else', role: 'branch', steps: stepsAt(config.else) },
      ];
    case 'control.switch':
      return [
        ...listAt(config, 'cases').map((entry, index): TNestedPipe => ({
          path: `cases[${index}].steps`,
          role: 'branch',
          steps: stepsAt(entry.steps),
        })),
        { path: 'default', role: 'branch', steps: stepsAt(config.default) },
      ];
    case 'control.forEach':
      return [{ path: 'steps', role: 'iteration', steps: stepsAt(config.steps) }];
    case 'control.parallel':
      return listAt(config, 'branches').map((branch, index): TNestedPipe => ({
        path: `branches[${index}].steps`,
        role: 'parallel',
        steps: stepsAt(branch.steps),
      }));
    case 'control.tryCatch':
      return [
        { path: 'try', role: 'try', steps: stepsAt(config.try) },
        { path: 'catch', role: 'catch', steps: stepsAt(config.catch) },
        { path: 'finally', role: 'finally', steps: stepsAt(config.finally) },
      ];
    default:
      return [];
  }
}

/** One step on the way from the root to a step: the ancestor, and which of its pipes leads down. */
export type TAncestor = { step: TStep; pipe: TNestedPipe; index: number };

export type TStepTrail = {
  step: TStep;
  /** From the document root: `steps[2].config.then[0]`. */
  path: string;
  /** Outermost first. */
  ancestors: TAncestor[];
  /** The steps before this one in its own pipe, in order. */
  earlier: TStep[];
};

/** Finds a step anywhere in the definition with the chain of blocks that holds it, or null. */
export function findStepTrail(steps: readonly TStep[], stepId: string): TStepTrail | null {
  const search = (pipe: readonly TStep[], base: string, ancestors: TAncestor[]): TStepTrail | null => {
    for (const [index, step] of pipe.entries()) {
      const path = joinPath(base, index);
      if (step.id === stepId) return { step, path, ancestors, earlier: pipe.slice(0, index) };
      for (const nested of nestedPipes(step)) {
        const found = search(nested.steps, joinPath(joinPath(path, 'config'), nested.path), [
          ...ancestors,
          { step, pipe: nested, index },
        ]);
        if (found) return found;
      }
    }
    return null;
  };
  return search(steps, 'steps', []);
}

/** Calls `visit` for a step and every step nested in it, depth first. */
export function forEachNestedStep(step: TStep, visit: (step: TStep) => void): void {
  visit(step);
  for (const nested of nestedPipes(step)) for (const inner of nested.steps) forEachNestedStep(inner, visit);
}

/** Every step id in the definition (for unique-id checks when renaming). */
export function allStepIds(steps: readonly TStep[]): string[] {
  const ids: string[] = [];
  for (const step of steps) forEachNestedStep(step, (inner) => ids.push(inner.id));
  return ids;
}

/** Replaces the step with `stepId` anywhere in the pipe (immutably); the pipe is returned unchanged when it is not found. */
export function replaceStep(steps: readonly TStep[], stepId: string, next: TStep): TStep[] {
  return steps.map((step) => {
    if (step.id === stepId) return next;
    const pipes = nestedPipes(step);
    if (pipes.length === 0) return step;
    let config: unknown = step.config;
    for (const pipe of pipes) {
      const replaced = replaceStep(pipe.steps, stepId, next);
      if (replaced.some((item, index) => item !== pipe.steps[index])) config = setAtPath(config, pipe.path, replaced);
    }
    return config === step.config ? step : { ...step, config: config as TStep['config'] };
  });
}

/** Splits `cases[1].steps` or `config.input.url` into segments. */
export function pathSegments(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g)) {
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(JSON.parse(`"${match[3]}"`) as string);
    else if (match[1] !== undefined) segments.push(match[1]);
  }
  return segments;
}

/** A copy of `root` with the value at `path` replaced (created when missing); `undefined` removes an object key. */
export function setAtPath(root: unknown, path: string | Array<string | number>, value: unknown): unknown {
  const segments = typeof path === 'string' ? pathSegments(path) : path;
  if (segments.length === 0) return value;
  const [head, ...rest] = segments as [string | number, ...Array<string | number>];
  if (typeof head === 'number') {
    const list = Array.isArray(root) ? [...root] : [];
    list[head] = setAtPath(list[head], rest, value);
    return list;
  }
  const object: Record<string, unknown> =
    typeof root === 'object' && root !== null && !Array.isArray(root) ? { ...(root as Record<string, unknown>) } : {};
  const next = setAtPath(object[head], rest, value);
  if (next === undefined) delete object[head];
  else object[head] = next;
  return object;
}

/** The value at `path` inside `root`, or undefined. */
export function getAtPath(root: unknown, path: string | Array<string | number>): unknown {
  const segments = typeof path === 'string' ? pathSegments(path) : path;
  let current: unknown = root;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
