import { z } from 'zod';
import type { TAuthContext } from '@/server/auth/context';
import { evaluateExpression } from '@/server/runtime/expressions/evaluate-expression';
import { ZRunError } from '@/server/workflows/definition/envelope';

export const ZTryExpression = z.object({
  source: z.string().min(1, 'write an expression').max(16_384),
  /** Sample data standing in for a run's envelope; `meta` is filled in when left out. */
  sample: z
    .object({
      payload: z.unknown().default({}),
      vars: z.record(z.unknown()).default({}),
      env: z.record(z.string()).default({}),
      meta: z.record(z.unknown()).optional(),
      error: ZRunError.nullable().default(null),
    })
    .default({}),
  bindings: z.object({ item: z.unknown().optional(), index: z.number().int().min(0).optional() }).optional(),
  workflowKey: z.string().max(63).optional(),
});
export type TTryExpression = z.infer<typeof ZTryExpression>;

/**
 * The designer's "try it": evaluates an expression against sample data under exactly the
 * limits a run has (same pool, same guards), so what passes here behaves the same in a run.
 */
export async function tryExpression({ ctx, input }: { ctx: TAuthContext; input: TTryExpression }): Promise<{ value: unknown }> {
  const meta = input.sample.meta ?? {
    runId: 'sample-run',
    workflowKey: input.workflowKey ?? 'sample',
    version: 1,
    tenantId: ctx.tenantId,
    startedAt: new Date().toISOString(),
    trigger: { type: 'manual' },
    stepId: null,
    attempt: 1,
    state: null,
  };
  const envelope = { payload: input.sample.payload, vars: input.sample.vars, env: input.sample.env, meta, error: input.sample.error };
  const value = await evaluateExpression({ source: input.source, envelope, bindings: input.bindings });
  return { value: value === undefined ? null : value };
}
