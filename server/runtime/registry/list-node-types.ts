import 'server-only';
import { z } from 'zod';
import { NODE_REGISTRY } from '@/server/runtime/nodes';
import { NODE_CATEGORIES, NODE_TYPES } from '@/model/nodes/node-shape';
import { type TNodeDescriptor } from '@/server/runtime/nodes/node-descriptor';
import { toJsonSchema } from '@/server/runtime/registry/to-json-schema';

export const ZNodeTypeInfo = z.object({
  type: z.enum(NODE_TYPES),
  title: z.string(),
  description: z.string(),
  icon: z.string(),
  category: z.enum(NODE_CATEGORIES),
  /** JSON Schema (draft-07) of the step's `config`; see to-json-schema.ts for nested pipes and expressions. */
  configSchema: z.record(z.unknown()),
  outputSchema: z.record(z.unknown()),
});
export type TNodeTypeInfo = z.infer<typeof ZNodeTypeInfo>;

/**
 * Marks code.js's `source` as JavaScript (`contentMediaType`, a JSON Schema keyword), so the
 * designer edits it in a JavaScript code editor with its syntax errors shown.
 */
function withCodeMediaType(type: string, schema: Record<string, unknown>): Record<string, unknown> {
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  if (type !== 'code.js' || !properties?.source) return schema;
  return {
    ...schema,
    properties: { ...properties, source: { ...properties.source, contentMediaType: 'text/javascript' } },
  };
}

/** Every node type with its palette metadata and JSON Schemas, in palette order (designer and API). */
export function listNodeTypes(): TNodeTypeInfo[] {
  return Object.values(NODE_REGISTRY).map((descriptor: TNodeDescriptor) => ({
    type: descriptor.type,
    title: descriptor.title,
    description: descriptor.description,
    icon: descriptor.icon,
    category: descriptor.category,
    configSchema: withCodeMediaType(descriptor.type, toJsonSchema(descriptor.configSchema)),
    outputSchema: toJsonSchema(descriptor.outputSchema),
  }));
}
