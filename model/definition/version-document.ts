import { z } from 'zod';
import { ZPipe, ZRetryPolicy } from '@/model/definition/step';

export const WORKFLOW_KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const ZWorkflowKey = z
  .string()
  .regex(WORKFLOW_KEY_PATTERN, 'use lowercase letters, digits and "-", starting with a letter or digit (at most 63)');

export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const ZEnvName = z.string().regex(ENV_NAME_PATTERN, 'use letters, digits and "_", not starting with a digit');

export const ZEnv = z
  .object({
    /** Non-secret values, readable by expressions as `env.NAME`. */
    vars: z.record(ZEnvName, z.string().max(10_000)).default({}),
    /** Name used in the definition → name of a tenant secret. */
    secrets: z.record(ZEnvName, z.string().min(1).max(128)).default({}),
  })
  .strict();
export type TEnv = z.infer<typeof ZEnv>;

/** A JSON Pointer into the envelope (RFC 6901), e.g. `/payload/card`. */
export const ZJsonPointer = z.string().regex(/^(\/([^~/]|~[01])*)+$/, 'must be a JSON Pointer such as /payload/card');

export const ZSettings = z
  .object({
    timeoutMs: z
      .number()
      .int()
      .min(1000)
      .max(365 * 86_400_000)
      .optional(),
    maxConcurrentRuns: z.number().int().min(1).max(10_000).optional(),
    runsPerMinute: z.number().int().min(1).max(100_000).optional(),
    /** Absent: the tenant's `retentionDays` (Settings → Tenant), else 30 (SPEC §8), read by the purge. */
    retentionDays: z.number().int().min(1).max(3650).optional(),
    redact: z.array(ZJsonPointer).default([]),
    /** The retry policy of every action.call without its own `retry` (SPEC §9). */
    defaultRetry: ZRetryPolicy.optional(),
    /** The time limit of every step without its own `timeoutMs`. */
    defaultStepTimeoutMs: z
      .number()
      .int()
      .min(1)
      .max(365 * 86_400_000)
      .optional(),
  })
  .strict();
export type TSettings = z.infer<typeof ZSettings>;

export const VERSION_STATUSES = ['draft', 'published'] as const;
export type TVersionStatus = (typeof VERSION_STATUSES)[number];

/** The version document of SPEC §4: what is stored, published, imported and exported. */
export const ZVersionDocument = z
  .object({
    key: ZWorkflowKey,
    name: z.string().trim().min(1, 'give the workflow a name').max(200),
    description: z.string().max(5000).default(''),
    version: z.number().int().min(1).optional(),
    status: z.enum(VERSION_STATUSES).optional(),
    parameterSchema: z.record(z.unknown()).default({ type: 'object', properties: {} }),
    env: ZEnv.default({}),
    settings: ZSettings.default({}),
    steps: ZPipe.default([]),
    /** The run's output: a literal or `{ "$expr": … }`; absent means null. */
    output: z.unknown().optional(),
  })
  .strict();
export type TVersionDocument = z.infer<typeof ZVersionDocument>;
export type TVersionDocumentInput = z.input<typeof ZVersionDocument>;
