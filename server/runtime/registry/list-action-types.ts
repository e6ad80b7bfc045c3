import 'server-only';
import { z } from 'zod';
import { ACTION_REGISTRY } from '@/server/runtime/actions';
import { ACTION_CATEGORIES, actionRef, type TActionDescriptor } from '@/server/runtime/actions/action-descriptor';
import { toJsonSchema } from '@/server/runtime/registry/to-json-schema';

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
    inputSchema: toJsonSchema(descriptor.inputSchema),
    outputSchema: toJsonSchema(descriptor.outputSchema),
  }));
}
