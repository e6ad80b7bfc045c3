import 'server-only';
import { z } from 'zod';
import { ACTION_REGISTRY } from '@/server/runtime/actions';
import { ACTION_CATEGORIES, actionRef, type TActionDescriptor } from '@/server/runtime/actions/action-descriptor';
import { toJsonSchema, type TJsonSchema } from '@/server/runtime/registry/to-json-schema';
import { CONNECTION_PICKER_KEY, type TConnectionType } from '@/model/connections/connection-config';

export const ZActionTypeInfo = z.object({
  id: z.string(),
  version: z.number().int(),
  /** `id@version`, as ACTION_REFS spells it. */
  ref: z.string(),
  title: z.string(),
  description: z.string(),
  icon: z.string(),
  category: z.enum(ACTION_CATEGORIES),
  /** JSON Schema (draft-07) of the resolved input, i.e. after expressions and secrets are substituted. */
  inputSchema: z.record(z.unknown()),
  outputSchema: z.record(z.unknown()),
});
export type TActionTypeInfo = z.infer<typeof ZActionTypeInfo>;

/**
 * Marks the `connection` input of an action that takes one with `x-pipewright-connection: <type>`,
 * so the designer offers the tenant's connections of that type instead of a text box.
 */
function withConnectionPicker(schema: TJsonSchema, type: TConnectionType | undefined): TJsonSchema {
  const properties = schema.properties as Record<string, TJsonSchema> | undefined;
  if (!type || !properties?.connection) return schema;
  return {
    ...schema,
    properties: { ...properties, connection: { ...properties.connection, [CONNECTION_PICKER_KEY]: type } },
  };
}

/** Every built-in action version with its palette metadata and JSON Schemas (designer and API). */
export function listActionTypes(): TActionTypeInfo[] {
  return Object.values(ACTION_REGISTRY).map((descriptor: TActionDescriptor) => ({
    id: descriptor.id,
    version: descriptor.version,
    ref: actionRef(descriptor.id, descriptor.version),
    title: descriptor.title,
    description: descriptor.description,
    icon: descriptor.icon,
    category: descriptor.category,
    inputSchema: withConnectionPicker(toJsonSchema(descriptor.inputSchema), descriptor.connectionType),
    outputSchema: toJsonSchema(descriptor.outputSchema),
  }));
}
