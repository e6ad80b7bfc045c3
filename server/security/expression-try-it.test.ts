import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as evaluateRoute from '@/app/api/v1/expressions/evaluate/route';
import * as healthRoute from '@/app/api/v1/health/route';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool, tryExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { createApiToken } from '@/server/tokens/create-api-token';
import { MAX_TRY_EXPRESSIONS_PER_PERSON, tryExpression, ZTryExpression } from '@/server/workflows/try-expression';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';

/**
 * Issue #15, item 7: the designer's "try it" evaluated on the web server's own thread, so 8
 * concurrent `$count([1..100000].[1..100000])` held every other request (health took 7.8 s)
 * and left the web process 750 MB bigger. It now runs in a small pool of memory-limited
 * worker threads of its own, at most MAX_TRY_EXPRESSIONS_PER_PERSON at a time per person.
 */

const HOSTILE = '$count([1..100000].[1..100000])';

let t: TTestDatabase;
let ctx: TAuthContext;

const input = (source: string) => ZTryExpression.parse({ source });

beforeAll(async () => {
  t = await createTestDatabase('expression_try_it');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

describe('"try it" expression evaluation', () => {
  it('runs every evaluation in the try-it worker pool, even one that could run on the calling thread', async () => {
    const before = tryExpressionPool().dispatched;
    expect(await tryExpression({ ctx, input: input('1 + 1') })).toEqual({ value: 2 });
    expect(tryExpressionPool().dispatched).toBe(before + 1);
  });

  it('a hostile evaluation fails with EXPRESSION (422) when its worker runs out of memory; the worker is replaced and the next evaluation works', async () => {
    const pool = tryExpressionPool();
    const spawned = pool.spawned;
    await expect(tryExpression({ ctx, input: input(HOSTILE) })).rejects.toMatchObject({
      code: 'EXPRESSION',
      status: 422,
    });
    expect(pool.spawned).toBeGreaterThan(spawned);
    expect(await tryExpression({ ctx, input: input('"still " & "working"') })).toEqual({ value: 'still working' });
  });

  it(`refuses a person's evaluation beyond ${MAX_TRY_EXPRESSIONS_PER_PERSON} at a time with 429, others are not held up, and the slot frees when one ends`, async () => {
    const running = Array.from({ length: MAX_TRY_EXPRESSIONS_PER_PERSON }, () =>
      tryExpression({ ctx, input: input(HOSTILE) }),
    );
    const settled = running.map((evaluation) => evaluation.catch((error: unknown) => error));
    const refused = await tryExpression({ ctx, input: input('1') }).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      message: expect.stringMatching(/at most 2 .* at a time/i),
    });
    // Another person of the same tenant has slots of their own.
    const other = await addMemberTo({ db: t.db, ctx, role: 'editor' });
    expect(await tryExpression({ ctx: other.ctx, input: input('2 * 3') })).toEqual({ value: 6 });
    for (const outcome of await Promise.all(settled)) expect(outcome).toMatchObject({ code: 'EXPRESSION' });
    expect(await tryExpression({ ctx, input: input('1') })).toEqual({ value: 1 });
  });

  it('/health answers while 8 hostile evaluations (4 people × 2) are still in flight, and a ninth from one of them is 429 through the API', async () => {
    const people = [
      ctx,
      ...(await Promise.all([1, 2, 3].map(async () => (await addMemberTo({ db: t.db, ctx, role: 'editor' })).ctx))),
    ];
    const { token } = await createApiToken({ db: t.db, ctx: people[0]!, input: { name: 'try', role: 'editor' } });
    let settled = 0;
    const hostile = people.flatMap((person) =>
      [1, 2].map(() =>
        tryExpression({ ctx: person, input: input(HOSTILE) })
          .catch((error: unknown) => error)
          .finally(() => (settled += 1)),
      ),
    );
    // On the request thread, the evaluations held every I/O callback until all of them had
    // ended: health could only answer once nothing was in flight any more.
    const health = await healthRoute.GET(new Request('http://localhost/api/v1/health'), {
      params: Promise.resolve({}),
    });
    expect(await health.json()).toMatchObject({ db: true });
    expect(settled).toBeLessThan(hostile.length);

    const ninth = await evaluateRoute.POST(
      new Request('http://localhost/api/v1/expressions/evaluate', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source: '1' }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(ninth.status).toBe(429);
    expect(((await ninth.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/at a time/),
    });
    for (const outcome of await Promise.all(hostile)) expect(outcome).toMatchObject({ code: 'EXPRESSION' });
  });
});
