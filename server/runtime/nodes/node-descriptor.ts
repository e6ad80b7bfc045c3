import 'server-only';
import type { z } from 'zod';
import { NODE_SHAPES } from '@/model/nodes/node-shapes';
import type { TNodeShape, TNodeType } from '@/model/nodes/node-shape';
import type { TNodeExecuteArgs, TNodeResult, TNodeResumeArgs } from '@/server/runtime/nodes/node-result';

/**
 * The engine's side of a node type: its config schema (values may be expressions where the
 * schema says so), its output, and what running it does, as a description the interpreter
 * carries out. Everything the browser also needs (palette metadata, pipes, what it writes
 * under vars, its initial config) is its shape in model/nodes, joined here by `defineNode`.
 */
export type TNodeDescriptor<T extends TNodeType = TNodeType, C extends z.ZodTypeAny = z.ZodTypeAny> = TNodeShape<T> & {
  configSchema: C;
  /** What the step produces (saved at `saveAs` where the node has one). */
  outputSchema: z.ZodTypeAny;
  // Declared as methods on purpose: method parameters are checked bivariantly, so a descriptor
  // of a specific config schema is still a `TNodeDescriptor` (the registry's `satisfies` and
  // `getNodeDescriptor` rely on that). Callers only ever pass a config parsed with this
  // descriptor's own `configSchema`.
  /** What running the step does, as a description the interpreter carries out. */
  execute(args: TNodeExecuteArgs<z.infer<C>>): Promise<TNodeResult>;
  /** For steps that wait: what happens once the wait is resolved or expires. */
  resume?(args: TNodeResumeArgs<z.infer<C>>): Promise<TNodeResult>;
};

/** The engine's descriptor of node type `type`: its shape (model/nodes) with schema and behaviour. */
export function defineNode<const T extends TNodeType, C extends z.ZodTypeAny>(
  type: T,
  engine: Omit<TNodeDescriptor<T, C>, keyof TNodeShape>,
): TNodeDescriptor<T, C> {
  const shapes: { [K in TNodeType]: TNodeShape<K> } = NODE_SHAPES;
  return { ...shapes[type], ...engine };
}
