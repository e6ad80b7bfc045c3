import { nodeShapeOf } from '@/model/nodes/node-shapes';
import type { TPipeRole } from '@/model/nodes/node-shape';

/** A nested pipe read from a step's config as it stands (a draft's may be half written). */
export type TConfigPipe = {
  /** Relative to the step's config: `then`, `cases[1].steps`, `branches[0].steps`, `catch`. */
  path: string;
  /** What people see above it: "Then", "Case 2", "Branch a", "Finally". */
  label: string;
  role: TPipeRole;
  /** The raw list at `path`; [] for an optional pipe left out; null when the value there is not a list. */
  steps: unknown[] | null;
  /** An optional pipe the config leaves out, which a run's graph does not draw (see TPipeSpec). */
  hidden?: true;
};

function objectAt(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/**
 * The nested pipes of a step of `type`, in display order, from its node shape. Works on any
 * config: a list entry that is not an object, or a pipe that is not a list, gives `steps: null`
 * (validation reports the config's schema problems; callers decide whether to show it empty).
 */
export function pipesOfConfig(type: string, config: unknown): TConfigPipe[] {
  const shape = nodeShapeOf(type);
  if (!shape) return [];
  const values = objectAt(config) ?? {};
  return shape.pipes.flatMap((spec): TConfigPipe[] => {
    if (spec.kind === 'single') {
      const value = values[spec.key];
      const steps = value === undefined && spec.optional ? [] : Array.isArray(value) ? value : null;
      const pipe: TConfigPipe = { path: spec.key, label: spec.label, role: spec.role, steps };
      return [value === undefined && spec.optional && !spec.drawnWhenAbsent ? { ...pipe, hidden: true } : pipe];
    }
    const entries = values[spec.list];
    if (!Array.isArray(entries)) return [];
    return entries.map((raw, index): TConfigPipe => {
      const entry = objectAt(raw);
      return {
        path: `${spec.list}[${index}].steps`,
        label: spec.label(index, entry ?? undefined),
        role: spec.role,
        steps: entry && Array.isArray(entry.steps) ? entry.steps : null,
      };
    });
  });
}

/**
 * The label of a nested pipe by its path alone (a run's timeline knows the block's type and the
 * pipe's path, not its config): `cases[1].steps` of a switch → "Case 2", `then` → "Then".
 */
export function pipeLabelOf(type: string, path: string): string {
  for (const spec of nodeShapeOf(type)?.pipes ?? []) {
    if (spec.kind === 'single' && spec.key === path) return spec.label;
    if (spec.kind === 'list') {
      const match = new RegExp(`^${spec.list}\\[(\\d+)\\]\\.steps$`).exec(path);
      if (match) return spec.label(Number(match[1]), undefined);
    }
  }
  return path;
}
