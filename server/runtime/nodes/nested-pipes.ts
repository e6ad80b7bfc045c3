import 'server-only';
import { getNodeDescriptor } from '@/server/runtime/nodes';
import type { TPipeRef } from '@/server/runtime/nodes/node-descriptor';

export type TRawPipeRef = Omit<TPipeRef, 'steps'> & { steps: unknown[] };

/**
 * The nested pipes of a step's config, located by its node type's `pipes()`. The config is
 * parsed first when it is valid (so nested steps carry their defaults); a draft's config may
 * be invalid, and then its pipes are read from the raw config as far as they can be. A config
 * too broken for that (pipes() meets a TypeError, e.g. `cases` is not a list) has no nested
 * pipes to offer, and its schema problems are reported by validation.
 */
export function nestedPipesOf(type: string, config: unknown): TRawPipeRef[] {
  const descriptor = getNodeDescriptor(type);
  if (!descriptor) return [];
  const parsed = descriptor.configSchema.safeParse(config);
  let pipes: TPipeRef[];
  try {
    pipes = (descriptor.pipes as (value: unknown) => TPipeRef[])(parsed.success ? parsed.data : config);
  } catch (error) {
    if (error instanceof TypeError) return [];
    throw error;
  }
  return pipes.filter((pipe): pipe is TPipeRef => Array.isArray(pipe.steps));
}
