import { z } from 'zod';

export const TRIGGER_KINDS = ['manual', 'webhook', 'schedule', 'event'] as const;
export type TTriggerKind = (typeof TRIGGER_KINDS)[number];

/** Trigger configs of SPEC §4.5; the triggers issue builds their behaviour on these. */
export const ZManualTriggerConfig = z.object({}).strict();
export const ZWebhookTriggerConfig = z
  .object({
    secret: z.string().min(1).optional(),
    mode: z.enum(['async', 'sync']).default('async'),
    /** Requests per minute this webhook accepts before answering 429 (counted across all web processes). */
    rateLimitPerMinute: z.number().int().min(1).max(10_000).default(60),
    /** With mode "sync": how long to wait for the run to finish before answering 202. */
    waitMs: z.number().int().min(0).max(60_000).default(10_000),
  })
  .strict();
export const ZScheduleTriggerConfig = z
  .object({
    cron: z.string().min(1),
    timezone: z.string().min(1).default('UTC'),
    input: z.record(z.unknown()).optional(),
  })
  .strict();
export const ZEventTriggerConfig = z
  .object({ event: z.string().min(1).max(200), filter: z.string().optional(), input: z.string().optional() })
  .strict();

export const ZTriggerDefinition = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('manual'),
    config: ZManualTriggerConfig.default({}),
    version: z.number().int().min(1).optional(),
  }),
  z.object({
    type: z.literal('webhook'),
    config: ZWebhookTriggerConfig.default({}),
    version: z.number().int().min(1).optional(),
  }),
  z.object({
    type: z.literal('schedule'),
    config: ZScheduleTriggerConfig,
    version: z.number().int().min(1).optional(),
  }),
  z.object({ type: z.literal('event'), config: ZEventTriggerConfig, version: z.number().int().min(1).optional() }),
]);
export type TTriggerDefinition = z.infer<typeof ZTriggerDefinition>;

/** A stored trigger's config read back through the schema of its kind. */
export function parseTriggerConfig(type: TTriggerKind, config: unknown) {
  switch (type) {
    case 'manual':
      return { type, config: ZManualTriggerConfig.parse(config) } as const;
    case 'webhook':
      return { type, config: ZWebhookTriggerConfig.parse(config) } as const;
    case 'schedule':
      return { type, config: ZScheduleTriggerConfig.parse(config) } as const;
    case 'event':
      return { type, config: ZEventTriggerConfig.parse(config) } as const;
  }
}
