import 'server-only';
import type { z } from 'zod';
import type { TStep } from '@/model/definition/step';
import type { TNodeExecuteArgs, TNodeResult, TNodeResumeArgs } from '@/server/runtime/nodes/node-result';

/** Every node type of SPEC §4.3. The registry must have one descriptor for each. */
export const NODE_TYPES = [
  'transform.assign',
  'state.set',
  'action.call',
  'event.wait',
  'human.task',
  'time.delay',
  'control.if',
  'control.switch',
  'control.forEach',
  'control.parallel',
  'control.tryCatch',
  'control.callWorkflow',
  'control.return',
  'control.fail',
  'code.js',
  'log',
] as const;
export type TNodeType = (typeof NODE_TYPES)[number];

/** Palette groups in the designer. */
export const NODE_CATEGORIES = ['data', 'actions', 'waiting', 'flow', 'end'] as const;
export type TNodeCategory = (typeof NODE_CATEGORIES)[number];

/** A nested pipe inside a block step, with its path relative to the step's config. */
export type TPipeRef = {
  /** e.g. `then`, `cases[1].steps`, `branches[0].steps`. */
  path: string;
  /** What the designer shows above the nested pipe, e.g. "Then", "Case 2", "Finally". */
  label: string;
  steps: TStep[];
};

/**
 * What the platform knows about a node type: its config schema (values may be expressions
 * where the schema says so), its output, palette metadata, and where its nested pipes are.
 * Behaviour (`execute`) is the runtime's and joins these descriptors there.
 */
export type TNodeDescriptor<T extends TNodeType = TNodeType, C extends z.ZodTypeAny = z.ZodTypeAny> = {
  type: T;
  title: string;
  description: string;
  /** A lucide icon name (kebab-case), e.g. `git-branch`. */
  icon: string;
  category: TNodeCategory;
  configSchema: C;
  /** What the step produces (saved at `saveAs` where the node has one). */
  outputSchema: z.ZodTypeAny;
  // `pipes` and `writesVars` are declared as methods on purpose: method parameters are checked
  // bivariantly, so a descriptor of a specific config schema is still a `TNodeDescriptor` (the
  // registry's `satisfies` and `getNodeDescriptor` rely on that). Callers only ever pass a
  // config parsed with this descriptor's own `configSchema`.
  /** The nested pipes of a parsed config, in display order. */
  pipes(config: z.infer<C>): TPipeRef[];
  /** Config keys that write under `vars` (checked at publish to start with `vars.`). */
  writesVars(config: z.infer<C>): string[];
  /** What running the step does, as a description the interpreter carries out. */
  execute(args: TNodeExecuteArgs<z.infer<C>>): Promise<TNodeResult>;
  /** For steps that wait: what happens once the wait is resolved or expires. */
  resume?(args: TNodeResumeArgs<z.infer<C>>): Promise<TNodeResult>;
};

export function defineNode<const T extends TNodeType, C extends z.ZodTypeAny>(
  descriptor: TNodeDescriptor<T, C>,
): TNodeDescriptor<T, C> {
  return descriptor;
}

export const noPipes = (): TPipeRef[] => [];
export const noVars = (): string[] => [];
