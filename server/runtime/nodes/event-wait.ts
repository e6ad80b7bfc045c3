import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { ZEventName } from '@/server/runtime/actions/events-emit';
import { exprOr } from '@/model/definition/expression-value';
import { ZVarsPath } from '@/model/definition/vars-path';

const DAY_MS = 86_400_000;

export const ZEventWaitConfig = z
  .object({
    /** A literal name: waits are indexed by it, so it cannot depend on the run. */
    event: ZEventName,
    /** Usually computed from the run, e.g. `{ "$expr": "payload.orderId" }`. */
    correlationKey: exprOr(z.string().min(1).max(500)).optional(),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(365 * DAY_MS)
      .optional(),
    /** Bounded because matching looks back through stored events. */
    lookbackMs: z
      .number()
      .int()
      .min(0)
      .max(30 * DAY_MS)
      .optional(),
    saveAs: ZVarsPath.optional(),
    onTimeout: z.enum(['fail', 'continue']).default('fail'),
  })
  .strict();

export const eventWait = defineNode('event.wait', {
  configSchema: ZEventWaitConfig,
  outputSchema: z.unknown().describe('The event\'s payload; null when the wait timed out with onTimeout "continue"'),
  async execute({ config, resolve }) {
    const key = config.correlationKey === undefined ? null : await resolve(config.correlationKey, 'correlationKey');
    // A missing field must not become a wait for the key "undefined" (matched by nothing, or by
    // every run that lacks the field).
    if (
      key !== null &&
      ((typeof key !== 'string' && typeof key !== 'number') || String(key).length === 0 || String(key).length > 500)
    ) {
      return {
        kind: 'fail',
        error: {
          code: 'VALIDATION',
          message: 'correlationKey: the expression must produce a non-empty string of at most 500 characters',
          retryable: false,
        },
      };
    }
    const correlationKey = key === null ? null : String(key);
    const wait = {
      kind: 'event' as const,
      event: config.event,
      correlationKey,
      timeoutMs: config.timeoutMs ?? null,
      lookbackMs: config.lookbackMs ?? null,
    };
    return { kind: 'wait', input: { event: config.event, correlationKey }, wait };
  },
  async resume({ config, outcome }) {
    if (outcome.kind === 'resolved')
      return {
        kind: 'next',
        output: outcome.payload,
        assign: config.saveAs ? [{ path: config.saveAs, value: outcome.payload }] : [],
      };
    if (config.onTimeout === 'continue')
      return { kind: 'next', output: null, assign: config.saveAs ? [{ path: config.saveAs, value: null }] : [] };
    return {
      kind: 'fail',
      error: {
        code: 'TIMEOUT',
        message: `No "${config.event}" event arrived within ${config.timeoutMs} ms`,
        retryable: false,
      },
    };
  },
});
