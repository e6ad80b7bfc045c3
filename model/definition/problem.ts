import { z } from 'zod';

/** One thing wrong (or suspicious) in a definition, located precisely (SPEC §6 publish 422). */
export const ZProblem = z.object({
  severity: z.enum(['error', 'warning']),
  /** The step the problem is in, or null for workflow-level problems. */
  stepId: z.string().nullable(),
  /** Where, from the document root: `steps[2].config.then[0].config.input.url`. */
  path: z.string(),
  message: z.string(),
  /** For a problem inside a `$template`: characters from the template's start to the problem. */
  offset: z.number().int().optional(),
});
export type TProblem = z.infer<typeof ZProblem>;

export function joinPath(base: string, segment: string | number): string {
  if (typeof segment === 'number') return `${base}[${segment}]`;
  return base ? `${base}.${segment}` : segment;
}
