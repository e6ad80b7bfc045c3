import { z } from 'zod';

export const STEP_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const ZStepId = z.string().regex(STEP_ID_PATTERN, 'use 1–64 letters, digits, "_" or "-"');

export const ZRetryPolicy = z
  .object({
    maxAttempts: z.number().int().min(1).max(100).default(1),
    initialDelayMs: z.number().int().min(0).max(86_400_000).default(1000),
    backoffCoefficient: z.number().min(1).max(10).default(2),
    maxDelayMs: z.number().int().min(0).max(86_400_000).default(60_000),
    jitter: z.boolean().default(true),
    nonRetryableCodes: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type TRetryPolicy = z.infer<typeof ZRetryPolicy>;

export const ON_ERROR = ['fail', 'continue'] as const;

/**
 * A step as the document stores it. `config` is checked against the node type's own schema
 * (server/runtime/nodes) in a second pass, so that every problem in a definition can be
 * reported with its exact path instead of one union error for the whole step.
 */
export const ZStep = z
  .object({
    id: ZStepId,
    type: z.string().min(1, 'the step has no type'),
    name: z.string().max(200).optional(),
    description: z.string().max(2000).optional(),
    config: z.record(z.unknown()).default({}),
    retry: ZRetryPolicy.optional(),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(365 * 86_400_000)
      .optional(),
    onError: z.enum(ON_ERROR).default('fail'),
    disabled: z.boolean().default(false),
  })
  .strict();
export type TStep = z.infer<typeof ZStep>;
export type TStepInput = z.input<typeof ZStep>;

/** A pipe is a list of steps run top to bottom. */
export const ZPipe = z.array(ZStep);
export type TPipe = z.infer<typeof ZPipe>;
