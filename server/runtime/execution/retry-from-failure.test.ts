import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { retryRun } from '@/server/runs/retry-run';
import { putSecret } from '@/server/secrets/put-secret';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

// SPEC §7.6: an operator's retry re-executes the step that failed, wherever it is, with the
// state it had before that step. Each workflow below fails on a missing secret (SECRET_MISSING)
// at one place; the secret is then created and the run retried.
let t: TTestDatabase;
let ctx: TAuthContext;
beforeAll(async () => {
  t = await createTestDatabase('retry_from_failure');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

/** Adds 1 to a counter in vars: how many times a step ran, in the vars the run ends with. */
const count = (id: string, name: string) => ({
  id,
  type: 'transform.assign',
  config: { assign: { [`vars.${name}`]: { $expr: `($exists(vars.${name}) ? vars.${name} : 0) + 1` } } },
});
/** Fails with SECRET_MISSING until the tenant secret exists. */
const needsSecret = (id: string) => ({
  id,
  type: 'action.call',
  config: { action: 'core.echo', version: 1, input: { token: { $secret: 'TOKEN' } }, saveAs: `vars.${id}` },
});
const fail = (id: string) => ({ id, type: 'control.fail', config: { code: 'BOOM', message: 'boom' } });
const tryCatch = (id: string, config: { try: unknown[]; catch: unknown[]; finally?: unknown[] }) => ({
  id,
  type: 'control.tryCatch',
  config,
});

let keys = 0;
/** Runs the workflow to its failure at `failsAt`, creates the secret, retries and drives it to the end. */
async function failThenRetry(steps: unknown[], output: unknown, failsAt: { stepId: string; code?: string }) {
  keys += 1;
  const key = `retry-${keys}`;
  const secret = `token-${keys}`;
  await publishWorkflow({
    db: t.db,
    ctx,
    key,
    document: { env: { vars: {}, secrets: { TOKEN: secret } }, steps, output } as never,
  });
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
  expect(await driveRun({ db: t.db, runId })).toBe('FAILED');
  const failed = await t.db.selectFrom('runs').select('error').where('id', '=', runId).executeTakeFirstOrThrow();
  expect(failed.error).toMatchObject({ code: failsAt.code ?? 'SECRET_MISSING', stepId: failsAt.stepId });
  await putSecret({ db: t.db, ctx, input: { name: secret, value: 'secret-value' } });
  await retryRun({ db: t.db, ctx, input: { id: runId } });
  const status = await driveRun({ db: t.db, runId });
  const run = await t.db
    .selectFrom('runs')
    .select(['output', 'error'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  const records = await t.db
    .selectFrom('run_steps')
    .select(['step_id', 'path', 'status', 'attempt'])
    .where('run_id', '=', runId)
    .orderBy('started_at')
    .execute();
  const succeeded = records.filter((r) => r.status === 'SUCCEEDED').map((r) => r.path);
  expect(succeeded.length, 'one SUCCEEDED record per step path').toBe(new Set(succeeded).size);
  return { runId, status, output: run.output, error: run.error, records };
}

describe('retry from failure', () => {
  it('re-executes a failed step inside catch, with the vars from before it; finally runs again after it', async () => {
    const result = await failThenRetry(
      [
        tryCatch('guard', {
          try: [fail('boom')],
          catch: [count('note', 'caught'), needsSecret('call')],
          finally: [count('cleanup', 'cleanups')],
        }),
      ],
      { $expr: "{'caught': vars.caught, 'cleanups': vars.cleanups, 'echoed': $exists(vars.call), 'error': error}" },
      { stepId: 'call' },
    );
    expect([result.status, result.error]).toEqual(['SUCCEEDED', null]);
    // `note` ran once (it had succeeded); `cleanups` is 1: the vars went back to before the
    // failed step, so the first finally's count is gone and the second one counts once.
    expect(result.output).toEqual({ caught: 1, cleanups: 1, echoed: true, error: null });
    const attempts = result.records.filter((r) => r.step_id === 'call').map((r) => [r.attempt, r.status]);
    expect(attempts).toEqual([
      [1, 'FAILED'],
      [2, 'SUCCEEDED'],
    ]);
  });

  it('re-executes a failed step in a nested try inside catch, each finally once more', async () => {
    const inner = tryCatch('inner', {
      try: [fail('inner-boom')],
      catch: [needsSecret('call')],
      finally: [count('inner-cleanup', 'innerCleanups')],
    });
    const result = await failThenRetry(
      [
        tryCatch('outer', {
          try: [fail('outer-boom')],
          catch: [count('note', 'caught'), inner],
          finally: [count('outer-cleanup', 'outerCleanups')],
        }),
      ],
      { $expr: "{'caught': vars.caught, 'inner': vars.innerCleanups, 'outer': vars.outerCleanups}" },
      {
        stepId: 'call',
      },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ caught: 1, inner: 1, outer: 1 });
  });

  it('re-executes a failed step inside finally, not the finally steps before it', async () => {
    const result = await failThenRetry(
      [
        tryCatch('guard', {
          try: [fail('boom')],
          catch: [count('note', 'caught')],
          finally: [count('before', 'beforeCall'), needsSecret('call')],
        }),
      ],
      { $expr: "{'caught': vars.caught, 'before': vars.beforeCall}" },
      { stepId: 'call' },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ caught: 1, before: 1 });
  });

  it('a finally that fails after catch failed: the retry goes back to the catch step, then runs finally again', async () => {
    const result = await failThenRetry(
      [
        tryCatch('guard', {
          try: [fail('boom')],
          catch: [needsSecret('callA')],
          finally: [count('before', 'beforeCall'), needsSecret('callB')],
        }),
      ],
      { $expr: "{'before': vars.beforeCall}" },
      { stepId: 'callB' },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ before: 1 });
    const calls = result.records
      .filter((r) => r.step_id.startsWith('call'))
      .map((r) => [r.step_id, r.attempt, r.status]);
    expect(calls).toEqual([
      ['callA', 1, 'FAILED'],
      ['callB', 1, 'FAILED'],
      ['callA', 2, 'SUCCEEDED'],
      ['callB', 2, 'SUCCEEDED'],
    ]);
  });

  it('re-executes a failed step in a forEach iteration, the other iterations kept', async () => {
    const perItem = [
      count('seen', 'seen'),
      {
        id: 'only-two',
        type: 'control.if',
        config: { condition: { $expr: '$item = 2' }, then: [needsSecret('call')] },
      },
    ];
    const result = await failThenRetry(
      [
        {
          id: 'each',
          type: 'control.forEach',
          config: {
            items: [1, 2, 3],
            concurrency: 2,
            collect: { $expr: "{'item': $item, 'seen': vars.seen}" },
            saveAs: 'vars.results',
            steps: perItem,
          },
        },
      ],
      { $expr: 'vars.results' },
      { stepId: 'call' },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual([
      { item: 1, seen: 1 },
      { item: 2, seen: 1 },
      { item: 3, seen: 1 },
    ]);
  });

  it('a forEach in a finally that runs again after the retry: its iterations take their next attempt, its results are its own', async () => {
    // Ended iterations' attempts leave the execution (SPEC §7.8); the retry reads them back.
    const loop = {
      id: 'each',
      type: 'control.forEach',
      config: {
        items: [1, 2, 3],
        concurrency: 2,
        collect: { $expr: '$item * 10' },
        saveAs: 'vars.done',
        steps: [{ id: 'nap', type: 'time.delay', config: { durationMs: 1 } }, count('tick', 'ticks')],
      },
    };
    const result = await failThenRetry(
      [tryCatch('guard', { try: [fail('boom')], catch: [needsSecret('call')], finally: [loop] })],
      { $expr: "{'done': vars.done, 'echoed': $exists(vars.call)}" },
      { stepId: 'call' },
    );
    expect([result.status, result.error]).toEqual(['SUCCEEDED', null]);
    expect(result.output).toEqual({ done: [10, 20, 30], echoed: true });
    const ticks = result.records.filter((r) => r.step_id === 'tick').map((r) => `${r.path} ${r.attempt} ${r.status}`);
    expect(ticks.sort()).toEqual(
      [0, 1, 2].flatMap((i) => [
        `steps[0].config.finally[0]#${i}.config.steps[1] 1 CANCELED`,
        `steps[0].config.finally[0]#${i}.config.steps[1] 2 SUCCEEDED`,
      ]),
    );
  });

  it('re-executes a failed step in a parallel branch, inside a catch inside a forEach iteration', async () => {
    const branches = [
      { id: 'quick', steps: [count('q', 'quick')], result: { $expr: 'vars.quick' } },
      { id: 'secret', steps: [count('s', 'tries'), needsSecret('call')], result: { $expr: 'vars.tries' } },
    ];
    const body = [
      tryCatch('guard', {
        try: [fail('boom')],
        catch: [{ id: 'both', type: 'control.parallel', config: { branches, saveAs: 'vars.both' } }],
        finally: [count('cleanup', 'cleanups')],
      }),
    ];
    const result = await failThenRetry(
      [
        {
          id: 'each',
          type: 'control.forEach',
          config: {
            items: ['a'],
            collect: { $expr: "{'both': vars.both, 'cleanups': vars.cleanups}" },
            saveAs: 'vars.results',
            steps: body,
          },
        },
      ],
      { $expr: 'vars.results' },
      { stepId: 'call' },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual([{ both: { quick: 1, secret: 1 }, cleanups: 1 }]);
  });
});
