import { z } from 'zod';

export const TRIGGER_TYPES = ['manual', 'webhook', 'schedule', 'event', 'api', 'child', 'rerun'] as const;
export type TTriggerType = (typeof TRIGGER_TYPES)[number];

/** The error a run or step carries, and `error` inside catch (SPEC §4.2, §5). */
export const ZRunError = z.object({
  code: z.string(),
  message: z.string(),
  stepId: z.string().nullable().optional(),
  stepPath: z.string().nullable().optional(),
  details: z.unknown().optional(),
});
export type TRunError = z.infer<typeof ZRunError>;

export const ZRunMeta = z.object({
  runId: z.string(),
  workflowKey: z.string(),
  version: z.number().int(),
  tenantId: z.string(),
  startedAt: z.string(),
  trigger: z.object({ type: z.enum(TRIGGER_TYPES), id: z.string().optional() }),
  stepId: z.string().nullable(),
  attempt: z.number().int(),
  state: z.string().nullable(),
});
export type TRunMeta = z.infer<typeof ZRunMeta>;

/** What expressions read: the run input, working state, env vars, run facts, the caught error. */
export const ZEnvelope = z.object({
  payload: z.unknown(),
  vars: z.record(z.unknown()),
  env: z.record(z.string()),
  meta: ZRunMeta,
  error: ZRunError.nullable(),
});
export type TEnvelope = z.infer<typeof ZEnvelope>;
