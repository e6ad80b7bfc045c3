import type { TStep } from '@/model/definition/step';
import { allStepIds, getAtPath, nestedPipes, setAtPath } from '@/model/designer/step-tree';
import { nodeShapeOf } from '@/model/nodes/node-shapes';

/**
 * The designer's edits as pure functions over a pipe of steps: every change the canvas makes
 * (drag, palette, keyboard, config form) goes through one of these, so undo is "keep the old
 * array" and each edit is tested without a browser. Unchanged subtrees keep their object
 * identity, which lets the memoized step cards skip re-rendering.
 */

/** Where a pipe is: `root`, or `<stepId>/<pipe path in its config>` (`check/then`, `route/cases[1].steps`). */
export type TPipeId = string;
export const ROOT_PIPE: TPipeId = 'root';

/** A position between steps: insert at `index` of pipe `pipeId`. */
export type TPipePosition = { pipeId: TPipeId; index: number };

export function pipeIdOf(stepId: string, pipePath: string): TPipeId {
  return `${stepId}/${pipePath}`;
}

function splitPipeId(pipeId: TPipeId): { stepId: string; pipePath: string } | null {
  const slash = pipeId.indexOf('/');
  return slash < 0 ? null : { stepId: pipeId.slice(0, slash), pipePath: pipeId.slice(slash + 1) };
}

/** The step whose pipe this is; null for the root pipe (or an id that names no step's pipe). */
export function pipeOwner(pipeId: TPipeId): string | null {
  return splitPipeId(pipeId)?.stepId ?? null;
}

/** The steps of a pipe, or null when there is no such pipe. */
export function stepsOfPipe(steps: readonly TStep[], pipeId: TPipeId): readonly TStep[] | null {
  if (pipeId === ROOT_PIPE) return steps;
  const parts = splitPipeId(pipeId);
  if (!parts) return null;
  const owner = findStep(steps, parts.stepId);
  if (!owner) return null;
  const pipe = nestedPipes(owner).find((candidate) => candidate.path === parts.pipePath);
  return pipe ? pipe.steps : null;
}

/** The step with this id anywhere in the tree, or null. */
export function findStep(steps: readonly TStep[], stepId: string): TStep | null {
  for (const step of steps) {
    if (step.id === stepId) return step;
    for (const pipe of nestedPipes(step)) {
      const found = findStep(pipe.steps, stepId);
      if (found) return found;
    }
  }
  return null;
}

/** Which pipe holds the step and at what index, or null. */
export function locateStep(steps: readonly TStep[], stepId: string, pipeId: TPipeId = ROOT_PIPE): TPipePosition | null {
  for (const [index, step] of steps.entries()) {
    if (step.id === stepId) return { pipeId, index };
    for (const pipe of nestedPipes(step)) {
      const found = locateStep(pipe.steps, stepId, pipeIdOf(step.id, pipe.path));
      if (found) return found;
    }
  }
  return null;
}

/** Replaces the steps of one pipe (immutably); the tree is returned unchanged when the pipe does not exist. */
export function replacePipe(steps: readonly TStep[], pipeId: TPipeId, next: TStep[]): TStep[] {
  if (pipeId === ROOT_PIPE) return next;
  const parts = splitPipeId(pipeId);
  if (!parts) return [...steps];
  return mapTree(steps, (step) => {
    if (step.id !== parts.stepId) return step;
    // The pipe must be one nestedPipes() knows (e.g. `else` of an if, even when absent).
    if (!nestedPipes(step).some((pipe) => pipe.path === parts.pipePath)) return step;
    return { ...step, config: setAtPath(step.config ?? {}, parts.pipePath, next) as TStep['config'] };
  });
}

/** Applies `change` to every step, depth first, rebuilding only the branches that changed. */
function mapTree(steps: readonly TStep[], change: (step: TStep) => TStep): TStep[] {
  let changed = false;
  const result = steps.map((original) => {
    let step = original;
    for (const pipe of nestedPipes(original)) {
      const inner = mapTree(pipe.steps, change);
      if (inner.some((item, index) => item !== pipe.steps[index]) || inner.length !== pipe.steps.length) {
        step = { ...step, config: setAtPath(step.config ?? {}, pipe.path, inner) as TStep['config'] };
      }
    }
    step = change(step);
    if (step !== original) changed = true;
    return step;
  });
  return changed ? result : (steps as TStep[]);
}

/** Inserts a step at a position; an index past the end appends. */
export function insertStep(steps: readonly TStep[], at: TPipePosition, step: TStep): TStep[] {
  const pipe = stepsOfPipe(steps, at.pipeId);
  if (!pipe) return [...steps];
  const index = Math.max(0, Math.min(at.index, pipe.length));
  return replacePipe(steps, at.pipeId, [...pipe.slice(0, index), step, ...pipe.slice(index)]);
}

/** Removes a step (with everything nested in it); returns the tree and the removed step (null when not found). */
export function removeStep(
  steps: readonly TStep[],
  stepId: string,
): { steps: TStep[]; removed: TStep | null; from: TPipePosition | null } {
  const from = locateStep(steps, stepId);
  if (!from) return { steps: [...steps], removed: null, from: null };
  const pipe = stepsOfPipe(steps, from.pipeId) ?? [];
  const removed = pipe[from.index] ?? null;
  return {
    steps: replacePipe(
      steps,
      from.pipeId,
      pipe.filter((_, index) => index !== from.index),
    ),
    removed,
    from,
  };
}

/** True when `pipeId` is a pipe of the step `stepId` or of a step nested in it (a block cannot go inside itself). */
export function isPipeInside(steps: readonly TStep[], pipeId: TPipeId, stepId: string): boolean {
  let current: TPipeId = pipeId;
  for (let guard = 0; guard < 10_000; guard++) {
    const parts = splitPipeId(current);
    if (!parts) return false;
    if (parts.stepId === stepId) return true;
    const owner = locateStep(steps, parts.stepId);
    if (!owner) return false;
    current = owner.pipeId;
  }
  return false;
}

/**
 * Moves a step to a position. `to.index` counts in the target pipe as it is before the move
 * minus the moved step, which is how @hello-pangea/dnd reports `destination.index`. Moving a
 * block into one of its own pipes is refused (the tree is returned unchanged).
 */
export function moveStep(steps: readonly TStep[], stepId: string, to: TPipePosition): TStep[] {
  if (isPipeInside(steps, to.pipeId, stepId)) return steps as TStep[];
  const { steps: without, removed, from } = removeStep(steps, stepId);
  if (!removed || !from) return steps as TStep[];
  if (from.pipeId === to.pipeId && from.index === to.index) return steps as TStep[];
  return insertStep(without, to, removed);
}

/** An id not in `taken`, from `base` (`approve`, `approve-2`, …); `taken` gets the new id. */
export function uniqueStepId(base: string, taken: Set<string>): string {
  const stem = (base.replace(/[^A-Za-z0-9_-]/g, '-').replace(/-\d+$/, '') || 'step').slice(0, 56);
  let id = stem;
  for (let n = 2; taken.has(id); n++) id = `${stem}-${n}`;
  taken.add(id);
  return id;
}

/** A deep copy of a step whose id and every nested step's id are new and unique. */
export function copyWithNewIds(step: TStep, taken: Set<string>): TStep {
  const clone = structuredClone(step);
  const renumber = (target: TStep): TStep => {
    let config = target.config;
    for (const pipe of nestedPipes(target)) {
      // nestedPipes lists a pipe the config may leave out (an if without `else`): nothing to renumber there.
      const inner = getAtPath(config, pipe.path);
      if (Array.isArray(inner)) config = setAtPath(config ?? {}, pipe.path, inner.map(renumber)) as TStep['config'];
    }
    return { ...target, id: uniqueStepId(target.id, taken), config };
  };
  return renumber(clone);
}

/** Inserts a copy of the step (new unique ids throughout) right after it; returns the tree and the copy's id. */
export function duplicateStep(steps: readonly TStep[], stepId: string): { steps: TStep[]; copyId: string | null } {
  const at = locateStep(steps, stepId);
  const original = at ? stepsOfPipe(steps, at.pipeId)?.[at.index] : undefined;
  if (!at || !original) return { steps: [...steps], copyId: null };
  const copy = copyWithNewIds(original, new Set(allStepIds(steps)));
  const named = original.name ? { ...copy, name: `${original.name} (copy)` } : copy;
  return { steps: insertStep(steps, { pipeId: at.pipeId, index: at.index + 1 }, named), copyId: named.id };
}

/** Replaces the step that has `stepId` (its id may change in `next`, e.g. after a rename). */
export function updateStep(steps: readonly TStep[], stepId: string, next: TStep): TStep[] {
  return mapTree(steps, (step) => (step.id === stepId ? next : step));
}

/** Moves a step one place up or down inside its own pipe; unchanged at either end. */
export function shiftStep(steps: readonly TStep[], stepId: string, delta: -1 | 1): TStep[] {
  const at = locateStep(steps, stepId);
  const pipe = at ? stepsOfPipe(steps, at.pipeId) : null;
  if (!at || !pipe) return steps as TStep[];
  const index = at.index + delta;
  if (index < 0 || index >= pipe.length) return steps as TStep[];
  return moveStep(steps, stepId, { pipeId: at.pipeId, index });
}

/** The config a new step of a type starts with (its node shape's), `{}` for a type the browser does not know. */
export function initialConfig(type: string, action?: { id: string; version: number }): TStep['config'] {
  return nodeShapeOf(type)?.initialConfig(action) ?? {};
}

/** A new step for the palette: a unique id from its type or action, and a starting config. */
export function newStep({
  type,
  title,
  action,
  taken,
}: {
  type: string;
  title: string;
  action?: { id: string; version: number };
  taken: Set<string>;
}): TStep {
  const base = action ? (action.id.split('.').pop() ?? 'call') : (type.split('.').pop() ?? 'step');
  return {
    id: uniqueStepId(base, taken),
    type,
    name: title,
    config: initialConfig(type, action),
    onError: 'fail',
    disabled: false,
  };
}
