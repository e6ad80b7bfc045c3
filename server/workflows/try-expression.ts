import 'server-only';
import { z } from 'zod';
import type { TAuthContext } from '@/server/auth/context';
import { AppError } from '@/model/errors';
import { tryExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { evaluateExpression } from '@/server/runtime/expressions/evaluate-expression';
import { ZRunError } from '@/model/definition/envelope';

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
 * How many "try it" evaluations one person may have running at once (in this web process):
 * enough for a designer with two panels open, and each hostile one costs a worker for up to
 * a second, so one person cannot keep the pool to themselves.
 */
export const MAX_TRY_EXPRESSIONS_PER_PERSON = 2;

const running = new Map<string, number>();

/** The person behind a request: a token counts as its owner, so several tokens share one bound. */
function personKey(ctx: TAuthContext): string {
  const { actor } = ctx;
  const who =
    actor.type === 'user'
      ? actor.userId
      : actor.type === 'token'
        ? (actor.userId ?? `token:${actor.tokenId}`)
        : `system:${actor.name}`;
  return `${ctx.tenantId}:${who}`;
}

/**
 * The designer's "try it": evaluates an expression against sample data under exactly the
 * limits a run has (same guards), so what passes here behaves the same in a run. Always in the
 * try-it worker pool, never on the web server's thread (its heap capped, see tryExpressionPool),
 * and at most MAX_TRY_EXPRESSIONS_PER_PERSON at once per person (RATE_LIMITED, 429, beyond).
 */
export async function tryExpression({
  ctx,
  input,
}: {
  ctx: TAuthContext;
  input: TTryExpression;
}): Promise<{ value: unknown }> {
  const key = personKey(ctx);
  const mine = running.get(key) ?? 0;
  if (mine >= MAX_TRY_EXPRESSIONS_PER_PERSON) {
    throw new AppError(
      'RATE_LIMITED',
      `You can try at most ${MAX_TRY_EXPRESSIONS_PER_PERSON} expressions at a time; wait for one to finish.`,
    );
  }
  running.set(key, mine + 1);
  try {
    return await evaluateSample(ctx, input);
  } finally {
    const left = (running.get(key) ?? 1) - 1;
    if (left === 0) running.delete(key);
    else running.set(key, left);
  }
}

async function evaluateSample(ctx: TAuthContext, input: TTryExpression): Promise<{ value: unknown }> {
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
  const envelope = {
    payload: input.sample.payload,
    vars: input.sample.vars,
    env: input.sample.env,
    meta,
    error: input.sample.error,
  };
  const value = await evaluateExpression({
    source: input.source,
    envelope,
    bindings: input.bindings,
    pool: tryExpressionPool(),
  });
  return { value: value === undefined ? null : value };
}
