import { z } from 'zod';

/**
 * Hard limits for one expression evaluation (SPEC §4.2). Breaking one is a non-retryable
 * EXPRESSION error: the same expression over the same data would break it again.
 */
export const EXPRESSION_LIMITS = {
  /** Wall-clock time for one evaluation; the worker is killed shortly after if native code overruns it. */
  timeMs: 1000,
  /** Nested evaluation depth (jsonata's own counter), which also bounds recursion. */
  maxDepth: 500,
  /** Bracket nesting in the source, checked before parsing (jsonata's parser is recursive). */
  maxNesting: 100,
  /** Characters of source; a config value, not a program. */
  maxSourceLength: 16_384,
  /** Items in any intermediate or final sequence or array, ranges included. */
  maxSequenceLength: 100_000,
  /** Characters in any string an expression produces. */
  maxStringLength: 1_000_000,
  /** UTF-8 bytes of the result as JSON. */
  maxOutputBytes: 256 * 1024,
} as const;

export const ZExpressionLimits = z.object({
  timeMs: z.number().int().positive(),
  maxDepth: z.number().int().positive(),
  maxNesting: z.number().int().positive(),
  maxSourceLength: z.number().int().positive(),
  maxSequenceLength: z.number().int().positive(),
  maxStringLength: z.number().int().positive(),
  maxOutputBytes: z.number().int().positive(),
});
export type TExpressionLimits = z.infer<typeof ZExpressionLimits>;

/**
 * The worker's heap cap. A pool-wide setting rather than a per-evaluation limit: it is fixed
 * when a worker starts. It is the backstop for allocations no in-thread check sees in time.
 */
export const EXPRESSION_WORKER_HEAP_MB = 64;

/** Which limit was broken: a per-evaluation limit, or the worker's heap. */
export type TExpressionLimitName = keyof TExpressionLimits | 'memory';
