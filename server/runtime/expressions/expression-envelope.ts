import { z } from 'zod';

/** What an expression reads (SPEC §4.2): plain JSON data, nothing else. */
export const ZExpressionEnvelope = z.object({
  payload: z.unknown(),
  vars: z.record(z.unknown()),
  env: z.record(z.unknown()),
  meta: z.record(z.unknown()),
  error: z.unknown(),
});
export type TExpressionEnvelope = z.infer<typeof ZExpressionEnvelope>;

/**
 * Variables bound besides the envelope: `$item`/`$index` inside control.forEach. A closed set,
 * because a binding named like a built-in (`eval`, `pad`) would shadow its guarded version.
 */
export const ZExpressionBindings = z
  .object({
    item: z.unknown(),
    index: z.number().int().nonnegative(),
  })
  .partial()
  .strict();
export type TExpressionBindings = z.infer<typeof ZExpressionBindings>;
