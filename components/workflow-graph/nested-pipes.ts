import type { TGraphPipe, TGraphStep } from '@/components/workflow-graph/graph-types';

function stepsAt(value: unknown): TGraphStep[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter(
    (step): step is TGraphStep =>
      typeof step === 'object' &&
      step !== null &&
      typeof (step as TGraphStep).id === 'string' &&
      typeof (step as TGraphStep).type === 'string',
  );
}

function listAt(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value)
    ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    : [];
}

/**
 * The nested pipes of a block step, in display order, read from its raw config. This mirrors
 * the node descriptors' `pipes()` (server/runtime/nodes) for the browser, which cannot load
 * the runtime; a config too broken to read simply shows no nested pipe.
 */
export function nestedPipes(step: TGraphStep): TGraphPipe[] {
  const config = step.config ?? {};
  const pipes: TGraphPipe[] = [];
  const add = (key: string, label: string, value: unknown) => {
    const steps = stepsAt(value);
    if (steps) pipes.push({ key, label, steps });
  };
  switch (step.type) {
    case 'control.if':
      add('then', 'Then', config.then);
      add('else', 'Else', config.else ?? []);
      break;
    case 'control.switch':
      listAt(config.cases).forEach((item, index) => add(`cases[${index}].steps`, `Case ${index + 1}`, item.steps));
      if (config.default !== undefined) add('default', 'Default', config.default);
      break;
    case 'control.forEach':
      add('steps', 'For each item', config.steps);
      break;
    case 'control.parallel':
      listAt(config.branches).forEach((item, index) =>
        add(
          `branches[${index}].steps`,
          typeof item.id === 'string' ? `Branch ${item.id}` : `Branch ${index + 1}`,
          item.steps,
        ),
      );
      break;
    case 'control.tryCatch':
      add('try', 'Try', config.try);
      add('catch', 'Catch', config.catch);
      if (config.finally !== undefined) add('finally', 'Finally', config.finally);
      break;
    default:
      break;
  }
  return pipes;
}

/** Every step of a definition, nested ones included, depth first. */
export function allSteps(steps: ReadonlyArray<TGraphStep>): TGraphStep[] {
  return steps.flatMap((step) => [step, ...nestedPipes(step).flatMap((pipe) => allSteps(pipe.steps))]);
}
