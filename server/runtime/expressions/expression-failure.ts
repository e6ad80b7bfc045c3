import { z } from 'zod';

/**
 * Why an evaluation failed, as data: it crosses the worker boundary (errors do not clone
 * with their class), and the caller adds the step id and wording.
 */
export const ZExpressionFailure = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('limit'),
    limit: z.enum([
      'timeMs',
      'maxDepth',
      'maxNesting',
      'maxSourceLength',
      'maxSequenceLength',
      'maxStringLength',
      'maxOutputBytes',
      'memory',
    ]),
  }),
  z.object({ kind: z.literal('syntax'), message: z.string(), position: z.number().int().optional() }),
  z.object({ kind: z.literal('evaluation'), message: z.string(), position: z.number().int().optional() }),
  z.object({ kind: z.literal('result'), message: z.string() }),
  z.object({ kind: z.literal('forbidden'), message: z.string(), position: z.number().int().optional() }),
]);
export type TExpressionFailure = z.infer<typeof ZExpressionFailure>;

export type TExpressionOutcome = { ok: true; value?: unknown } | { ok: false; failure: TExpressionFailure };
