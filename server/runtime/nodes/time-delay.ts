import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { exprOr } from '@/model/definition/expression-value';

/** The longest delay a step may ask for, literal or computed: 365 days. */
const MAX_DELAY_MS = 365 * 86_400_000;

export const ZTimeDelayConfig = z
  .object({
    durationMs: exprOr(z.number().int().min(0).max(MAX_DELAY_MS)).optional(),
    /** An ISO 8601 date-time with an offset, so the wake-up time never depends on the server's zone. */
    until: exprOr(
      z.string().datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2030-01-31T09:00:00Z' }),
    ).optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.durationMs === undefined && config.until === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['durationMs'], message: 'give either durationMs or until' });
    } else if (config.durationMs !== undefined && config.until !== undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['until'],
        message: 'give either durationMs or until, not both',
      });
    }
  });

export const timeDelay = defineNode('time.delay', {
  configSchema: ZTimeDelayConfig,
  outputSchema: z.object({ until: z.string().datetime({ offset: true }).describe('When the timer was due') }),
  async execute({ config, resolve }) {
    const durationMs = config.durationMs === undefined ? null : Number(await resolve(config.durationMs, 'durationMs'));
    const until = config.until === undefined ? null : new Date(String(await resolve(config.until, 'until')));
    const resumeAt = until ?? new Date(Date.now() + (durationMs ?? 0));
    // A computed duration is held to the same bound as a literal one: a run must not sleep for centuries.
    if (
      Number.isNaN(resumeAt.getTime()) ||
      (durationMs !== null && (!Number.isFinite(durationMs) || durationMs < 0 || durationMs > MAX_DELAY_MS))
    ) {
      return {
        kind: 'fail',
        error: {
          code: 'VALIDATION',
          message: `time.delay: durationMs must be a number from 0 to ${MAX_DELAY_MS} (365 days) and until an ISO date-time`,
          retryable: false,
        },
      };
    }
    return { kind: 'wait', input: { resumeAt: resumeAt.toISOString() }, wait: { kind: 'timer', resumeAt } };
  },
  async resume() {
    return { kind: 'next', output: null };
  },
});
