import { z } from 'zod';
import { ZWorkflowKey } from '@/model/definition/version-document';

/** SPEC §8 alert kinds: share of failed runs, a run without progress, the oldest queued run's age. */
export const ALERT_KINDS = ['failureRate', 'stuck', 'queueAge'] as const;
export type TAlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_KIND_LABELS = {
  failureRate: 'Failure rate',
  stuck: 'Run without progress',
  queueAge: 'Oldest queued run',
} as const satisfies Record<TAlertKind, string>;

const DAY_MS = 86_400_000;
/** failureRate's window when none is given. */
export const DEFAULT_ALERT_WINDOW_MS = 15 * 60_000;

/**
 * A rule as `POST /api/v1/alerts` takes it (SPEC §8). failureRate needs `threshold` (0–1) and
 * looks back `windowMs` (default 15 min) once `minRuns` (default 1) ended; stuck and queueAge
 * need `afterMs`. At least one of `notify.webhookUrl`, `notify.email`. `pauseWorkflow` needs a
 * `workflow`. A rule fires at most once per window (`windowMs`, else `afterMs`).
 */
export const ZAlertRuleInput = z
  .object({
    kind: z.enum(ALERT_KINDS),
    workflow: ZWorkflowKey.optional(),
    threshold: z.number().min(0).max(1).optional(),
    windowMs: z
      .number()
      .int()
      .min(60_000, 'at least one minute')
      .max(30 * DAY_MS, 'at most 30 days')
      .optional(),
    minRuns: z.number().int().min(1).max(1_000_000).optional(),
    afterMs: z
      .number()
      .int()
      .min(10_000, 'at least 10 seconds')
      .max(30 * DAY_MS, 'at most 30 days')
      .optional(),
    notify: z
      .object({
        webhookUrl: z
          .string()
          .url('not a URL')
          .max(2000)
          .refine((url) => /^https?:\/\//i.test(url), 'must be http or https')
          .optional(),
        email: z.string().email('not an email address').max(320).optional(),
      })
      .strict()
      .refine((notify) => notify.webhookUrl !== undefined || notify.email !== undefined, {
        message: 'give webhookUrl, email or both',
      }),
    pauseWorkflow: z.boolean().optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.kind === 'failureRate' && rule.threshold === undefined)
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'failureRate needs a threshold between 0 and 1' });
    if (rule.kind !== 'failureRate' && rule.afterMs === undefined)
      ctx.addIssue({ code: 'custom', path: ['afterMs'], message: `${rule.kind} needs afterMs` });
    if (rule.pauseWorkflow && !rule.workflow)
      ctx.addIssue({ code: 'custom', path: ['pauseWorkflow'], message: 'pauseWorkflow needs a workflow' });
  });
export type TAlertRuleInput = z.infer<typeof ZAlertRuleInput>;
