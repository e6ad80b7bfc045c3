import { afterAll, describe, expect, it } from 'vitest';
import { tryExpression } from '@/server/workflows/try-expression';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import type { TAuthContext } from '@/server/auth/context';
import { ZTryExpression } from '@/server/workflows/try-expression';

const ctx: TAuthContext = {
  tenantId: 't-1',
  tenantSlug: 't',
  tenantName: 'T',
  role: 'editor',
  actor: { type: 'user', userId: 'u', email: 'e@example.com', name: 'E' },
};
const input = (raw: unknown) => ZTryExpression.parse(raw);

afterAll(async () => closeExpressionPool());

describe('trying an expression against sample data (the designer\'s "try it")', () => {
  it('evaluates over payload, vars, env, meta and the forEach bindings', async () => {
    const result = await tryExpression({
      ctx,
      input: input({
        source:
          '{"total": $sum(payload.lines.amount) + vars.fee, "env": env.REGION, "tenant": meta.tenantId, "item": $item, "index": $index}',
        sample: { payload: { lines: [{ amount: 2 }, { amount: 3 }] }, vars: { fee: 1 }, env: { REGION: 'eu' } },
        bindings: { item: 'x', index: 4 },
      }),
    });
    expect(result.value).toEqual({ total: 6, env: 'eu', tenant: 't-1', item: 'x', index: 4 });
  });

  it('answers null for an expression that selects nothing', async () => {
    expect((await tryExpression({ ctx, input: input({ source: 'payload.missing' }) })).value).toBeNull();
  });

  it('applies the run limits: a backtracking regex fails with EXPRESSION naming the time limit', async () => {
    const attempt = tryExpression({
      ctx,
      input: input({ source: '$match(payload.s, /(a+)+$/)', sample: { payload: { s: `${'a'.repeat(40)}!` } } }),
    });
    await expect(attempt).rejects.toMatchObject({ code: 'EXPRESSION', message: expect.stringContaining('time limit') });
  });

  it('reports a syntax error with its position', async () => {
    await expect(tryExpression({ ctx, input: input({ source: 'payload.(' }) })).rejects.toMatchObject({
      code: 'EXPRESSION',
      message: expect.stringContaining('position'),
    });
  });
});
