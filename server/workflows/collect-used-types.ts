import 'server-only';
import type { TStep } from '@/model/definition/step';
import { walkSteps } from '@/server/workflows/walk-steps';

export type TUsedTypes = { nodeTypes: string[]; actions: string[] };

/**
 * The node types and actions a definition uses, stored beside each version so that
 * "which workflows use http.request?" is an index lookup. An action is listed both as its
 * id (`http.request`) and, when the step pins one, as `id@version` (`http.request@1`), so a
 * search may name either.
 */
export function collectUsedTypes(steps: readonly TStep[]): TUsedTypes {
  const nodeTypes = new Set<string>();
  const actions = new Set<string>();
  walkSteps(steps, ({ step }) => {
    nodeTypes.add(step.type);
    if (step.type !== 'action.call') return;
    const { action, version } = step.config;
    if (typeof action !== 'string' || action === '') return;
    actions.add(action);
    if (typeof version === 'number') actions.add(`${action}@${version}`);
  });
  return { nodeTypes: [...nodeTypes].sort(), actions: [...actions].sort() };
}
