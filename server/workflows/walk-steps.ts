import type { TStep } from '@/server/workflows/definition/step';
import { joinPath } from '@/server/workflows/validation/problem';

/** Where a step sits: its path from the document root and the pipe that holds it. */
export type TStepLocation = {
  step: TStep;
  /** e.g. `steps[2].config.then[0]`. */
  path: string;
  /** The holding pipe: `steps` at the root, else `<parentStepId>.<path in its config>`, e.g. `check.then`. */
  pipe: string;
  index: number;
};

function isStepLike(value: unknown): value is TStep {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return typeof record.id === 'string' && typeof record.type === 'string';
}

/** True for a non-empty array of step-shaped objects: a nested pipe (see walkSteps). */
export function isPipe(value: unknown): value is TStep[] {
  return Array.isArray(value) && value.length > 0 && value.every(isStepLike);
}

/**
 * Calls `visit` for every step of a pipe and of every nested pipe, depth first in document
 * order. Until the node registry lands, nested pipes are found generically: inside the config
 * of a `control.*` step, any array whose items all have a string `id` and `type` is a pipe
 * (`then`, `cases[i].steps`, `branches[i].steps`, `try`…). Only control steps are searched so
 * that an action's input data that happens to look like steps is never taken for a pipe.
 */
export function walkSteps(pipe: readonly TStep[], visit: (location: TStepLocation) => void, base = 'steps', pipeName = 'steps'): void {
  pipe.forEach((step, index) => {
    const path = joinPath(base, index);
    visit({ step, path, pipe: pipeName, index });
    if (step.type.startsWith('control.')) walkConfig(step.config, joinPath(path, 'config'), step.id, '', visit);
  });
}

function walkConfig(value: unknown, path: string, ownerId: string, relative: string, visit: (location: TStepLocation) => void): void {
  if (isPipe(value)) {
    walkSteps(value, visit, path, `${ownerId}.${relative}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => walkConfig(item, joinPath(path, i), ownerId, joinPath(relative, i), visit));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) walkConfig(item, joinPath(path, key), ownerId, joinPath(relative, key), visit);
  }
}
