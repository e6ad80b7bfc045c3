import 'server-only';
import { nestedPipesOf } from '@/server/runtime/nodes/nested-pipes';
import { ZStep, type TStep } from '@/model/definition/step';
import { joinPath } from '@/model/definition/problem';

/** Where a step sits: its path from the document root and the pipe that holds it. */
export type TStepLocation = {
  step: TStep;
  /** e.g. `steps[2].config.then[0]`. */
  path: string;
  /** The holding pipe: `steps` at the root, else `<parentStepId>.<path in its config>`, e.g. `check.then`. */
  pipe: string;
  index: number;
};

/**
 * Calls `visit` for every step of a pipe and of every nested pipe, depth first in document
 * order. Nested pipes are the ones each node type declares (`then`, `cases[i].steps`,
 * `branches[i].steps`, `try`…); a nested step too malformed to parse is skipped.
 */
export function walkSteps(
  pipe: readonly TStep[],
  visit: (location: TStepLocation) => void,
  base = 'steps',
  pipeName = 'steps',
): void {
  pipe.forEach((step, index) => {
    const path = joinPath(base, index);
    visit({ step, path, pipe: pipeName, index });
    for (const nested of nestedPipesOf(step.type, step.config)) {
      const steps = nested.steps.flatMap((raw) => {
        const parsed = ZStep.safeParse(raw);
        return parsed.success ? [parsed.data] : [];
      });
      walkSteps(steps, visit, joinPath(joinPath(path, 'config'), nested.path), `${step.id}.${nested.path}`);
    }
  });
}

/** True for a list that holds steps (each with a string id and type). */
export function isPipe(value: unknown): value is TStep[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => ZStep.safeParse(item).success);
}
