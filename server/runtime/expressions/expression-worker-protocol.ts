import { z } from 'zod';
import { ZExpressionBindings } from './expression-envelope';
import { ZExpressionFailure } from './expression-failure';
import { ZExpressionLimits } from './expression-limits';

/** Main thread → worker: one evaluation. `data` is the envelope, structured-cloned by postMessage. */
export const ZWorkerRequest = z.object({
  id: z.number().int(),
  source: z.string(),
  data: z.unknown(),
  bindings: ZExpressionBindings,
  limits: ZExpressionLimits,
});
export type TWorkerRequest = z.infer<typeof ZWorkerRequest>;

/** Worker → main thread: ready once loaded, then one result per request. */
export const ZWorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('result'),
    id: z.number().int(),
    outcome: z.union([
      z.object({ ok: z.literal(true), value: z.unknown() }),
      z.object({ ok: z.literal(false), failure: ZExpressionFailure }),
    ]),
  }),
]);
export type TWorkerMessage = z.infer<typeof ZWorkerMessage>;
