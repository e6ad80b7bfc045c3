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
  pipe.forEach((step, index) => walkStep(step, index, visit, base, pipeName));
}

function walkStep(
  step: TStep,
  index: number,
  visit: (location: TStepLocation) => void,
  base: string,
  pipeName: string,
): void {
  const path = joinPath(base, index);
  visit({ step, path, pipe: pipeName, index });
  for (const nested of nestedPipesOf(step.type, step.config)) {
    const nestedBase = joinPath(joinPath(path, 'config'), nested.path);
    const nestedPipe = `${step.id}.${nested.path}`;
    // Skipped where it stands: the steps after a malformed one keep their own index.
    nested.steps.forEach((raw, nestedIndex) => {
      const parsed = ZStep.safeParse(raw);
      if (parsed.success) walkStep(parsed.data, nestedIndex, visit, nestedBase, nestedPipe);
    });
  }
}

/** True for a list that holds steps (each with a string id and type). */
export function isPipe(value: unknown): value is TStep[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => ZStep.safeParse(item).success);
}
