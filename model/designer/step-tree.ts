import type { TStep } from '@/model/definition/step';
import { joinPath } from '@/model/definition/problem';

import { pipesOfConfig } from '@/model/nodes/nested-pipes';
import type { TPipeRole } from '@/model/nodes/node-shape';

/** A nested pipe of a step as the designer uses it: its steps, never null. */
export type TNestedPipe = {
  /** Relative to the step's config: `then`, `cases[1].steps`, `branches[0].steps`, `catch`. */
  path: string;
  /** "Then", "Case 2", "Branch a". */
  label: string;
  /** What kind of pipe this is, for scope rules (`catch` sets `error`, `forEach` binds `$item`). */
  role: TPipeRole;
  steps: TStep[];
};

function stepsAt(value: unknown[] | null): TStep[] {
  return (value ?? []).filter(
    (item): item is TStep =>
      typeof item === 'object' &&
      item !== null &&
      typeof (item as TStep).id === 'string' &&
      typeof (item as TStep).type === 'string',
  );
}

/**
 * The nested pipes of a step, in display order, from its node shape (model/nodes); works on
 * incomplete draft configs: a pipe that is not a list yet shows as empty, malformed steps are left out.
 */
export function nestedPipes(step: Pick<TStep, 'type' | 'config'>): TNestedPipe[] {
  return pipesOfConfig(step.type, step.config).map(({ path, label, role, steps }) => ({
    path,
    label,
    role,
    steps: stepsAt(steps),
  }));
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
