import 'server-only';
import { getNodeDescriptor } from '@/server/runtime/nodes';
import { pipesOfConfig, type TConfigPipe } from '@/model/nodes/nested-pipes';

export type TRawPipeRef = Omit<TConfigPipe, 'steps' | 'hidden'> & { steps: unknown[] };

/**
 * The nested pipes of a step's config, located by its node shape (model/nodes). The config is
 * parsed first when it is valid (so nested steps carry their defaults); a draft's config may
 * be invalid, and then its pipes are read from the raw config as far as they can be: a pipe
 * that is not a list is left out, and its schema problems are reported by validation.
 */
export function nestedPipesOf(
  type: string,
  config: unknown,
  /** The config's parse, when the caller has it already (validation parses each config once). */
  parsed = getNodeDescriptor(type)?.configSchema.safeParse(config),
): TRawPipeRef[] {
  if (!parsed) return [];
  return pipesOfConfig(type, parsed.success ? parsed.data : config).flatMap(({ path, label, role, steps }) =>
    steps === null ? [] : [{ path, label, role, steps }],
  );
}
