import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { AppError } from '@/model/errors';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { applyAssignment, applyAssignments } from '@/server/runtime/interpreter/apply-assignments';
import { startRun } from '@/server/runtime/start-run';
import { MAX_VARS_INDEX } from '@/model/definition/vars-path';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

/** Values a run must bound or make storable instead of crashing the worker's pass (SPEC §7.8). */

let t: TTestDatabase;
let ctx: TAuthContext;
beforeAll(async () => {
  t = await createTestDatabase('bounded_values');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function run(key: string, document: Parameters<typeof publishWorkflow>[0]['document']) {
  await publishWorkflow({ db: t.db, ctx, key, document });
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
  // Few passes: a pass that crashes throws out of driveRun, and a crash loop would need many.
  const status = await driveRun({ db: t.db, runId, maxPasses: 3 });
  const row = await t.db
    .selectFrom('runs')
    .select(['output', 'error', 'state', 'execution'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  const steps = await t.db
    .selectFrom('run_steps')
    .select(['step_id', 'status', 'attempt', 'output', 'error'])
    .where('run_id', '=', runId)
    .orderBy('started_at')
    .orderBy('path')
    .execute();
  return { runId, status, ...row, steps };
}

describe('values PostgreSQL cannot store', () => {
  it('a workflow output expression that makes NUL ends the run SUCCEEDED with U+FFFD in its place', async () => {
    const nul = await run('nul-output', {
      steps: [{ id: 'set', type: 'transform.assign', config: { assign: { 'vars.n': 1 } } }],
      output: { $expr: "{ 'text': $decodeUrlComponent('a%00b') }" },
    });
    expect([nul.status, nul.output]).toEqual(['SUCCEEDED', { text: 'a\ufffdb' }]);
  });

  it('a forEach collect that makes NUL is stored with U+FFFD, the loop succeeds', async () => {
    const result = await run('nul-collect', {
      steps: [
        {
          id: 'each',
          type: 'control.forEach',
          config: {
            items: [1, 2],
            collect: { $expr: "$decodeUrlComponent('%00')" },
            saveAs: 'vars.out',
            steps: [{ id: 'inner', type: 'transform.assign', config: { assign: { 'vars.i': { $expr: '$item' } } } }],
          },
        },
      ],
      output: { $expr: 'vars.out' },
    });
    expect([result.status, result.output]).toEqual(['SUCCEEDED', ['\ufffd', '\ufffd']]);
  });

  it('a step whose stored config this version refuses fails with VALIDATION naming it, instead of crashing the pass', async () => {
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'stale-config',
      document: { steps: [{ id: 'nap', type: 'time.delay', config: { durationMs: 10 } }] },
    });
    // As if published by an older version whose schema allowed it (past the trigger that keeps published versions unchanged).
    await t.db.transaction().execute(async (tx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(tx);
      await tx
        .updateTable('workflow_versions')
        .set({
          document: sql`json_build_object('key', 'stale-config', 'name', 'stale-config', 'steps', json_build_array(json_build_object('id', 'nap', 'type', 'time.delay', 'config', json_build_object('durationMs', -5))))`,
        })
        .where('tenant_id', '=', ctx.tenantId)
        .where(
          'workflow_id',
          '=',
          sql<string>`(SELECT id FROM workflows WHERE key = 'stale-config' AND tenant_id = ${ctx.tenantId})`,
        )
        .execute();
    });
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'stale-config',
      input: {},
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId, maxPasses: 3 })).toBe('FAILED');
    const row = await t.db.selectFrom('runs').select('error').where('id', '=', runId).executeTakeFirstOrThrow();
    expect(row.error).toMatchObject({ code: 'VALIDATION', stepId: 'nap', stepPath: 'steps[0]' });
  });

  it('a computed time.delay over 365 days fails the step with VALIDATION instead of sleeping for centuries', async () => {
    const result = await run('endless-nap', {
      steps: [{ id: 'nap', type: 'time.delay', config: { durationMs: { $expr: '1e15' } } }],
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatchObject({ code: 'VALIDATION', stepId: 'nap' });
  });

  it('a step whose result holds NUL or a lone surrogate succeeds, stored with U+FFFD in their place', async () => {
    const result = await run('nul-values', {
      steps: [
        {
          id: 'set',
          type: 'transform.assign',
          config: { assign: { 'vars.text': 'x\u0000y', 'vars.object': { 'k\u0000': ['\ud800'] } } },
        },
        { id: 'mark', type: 'state.set', config: { state: 'half\u0000way' } },
      ],
      output: { $expr: 'vars' },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.steps.map((s) => [s.step_id, s.status, s.attempt])).toEqual([
      ['set', 'SUCCEEDED', 1],
      ['mark', 'SUCCEEDED', 1],
    ]);
    expect(result.output).toEqual({ text: 'x\ufffdy', object: { 'k\ufffd': ['\ufffd'] } });
    expect(result.state).toBe('half\ufffdway');
  });

  it('an action output holding NUL fails the step with VALIDATION naming where, the rule of request bodies; no ledger row', async () => {
    const result = await run('nul-echo-output', {
      steps: [
        {
          id: 'echo',
          type: 'action.call',
          config: { action: 'core.echo', version: 1, input: { echoed: '\u0000' }, saveAs: 'vars.echo' },
        },
      ],
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatchObject({
      code: 'VALIDATION',
      stepId: 'echo',
      message: expect.stringContaining('output.echoed contains the NUL character'),
    });
    expect(
      await t.db.selectFrom('action_invocations').select('output').where('run_id', '=', result.runId).execute(),
    ).toEqual([]);
  });

  it('a forEach over computed items holding NUL iterates over them with U+FFFD', async () => {
    const result = await run('nul-items', {
      steps: [
        {
          id: 'each',
          type: 'control.forEach',
          config: {
            items: { $expr: "[$decodeUrlComponent('a%00'), 'b']" },
            steps: [
              // The timer suspends the run mid-loop, so the items are committed with its execution state.
              { id: 'nap', type: 'time.delay', config: { durationMs: 1 } },
              { id: 'seen', type: 'transform.assign', config: { assign: { 'vars.seen': { $expr: '$item' } } } },
            ],
          },
        },
      ],
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.steps.filter((s) => s.step_id === 'seen').map((s) => s.output)).toEqual([
      { 'vars.seen': 'a\ufffd' },
      { 'vars.seen': 'b' },
    ]);
  });

  it('an events.emit payload with NUL is delivered with U+FFFD, once', async () => {
    const result = await run('nul-emit', {
      steps: [
        {
          id: 'emit',
          type: 'action.call',
          config: {
            action: 'events.emit',
            version: 1,
            input: { event: 'nul.test', correlationKey: 'k\u0000', payload: { note: 'a\u0000b' } },
          },
        },
      ],
    });
    expect(result.status).toBe('SUCCEEDED');
    const events = await t.db
      .selectFrom('events')
      .select(['event', 'correlation_key', 'payload'])
      .where('tenant_id', '=', ctx.tenantId)
      .where('event', '=', 'nul.test')
      .execute();
    expect(events).toEqual([{ event: 'nul.test', correlation_key: 'k\ufffd', payload: { note: 'a\ufffdb' } }]);
  });

  it('a control.fail whose message holds NUL fails the run with that message made storable', async () => {
    const result = await run('nul-fail', {
      steps: [{ id: 'boom', type: 'control.fail', config: { code: 'BAD', message: 'no\u0000pe' } }],
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatchObject({ code: 'BAD', message: 'no\ufffdpe', stepId: 'boom' });
  });
});

describe('forEach over a computed list (SPEC §7.8)', () => {
  it('over 10,000 items fails with VALIDATION, not retried; 10,000 is fine', async () => {
    const over = await run('foreach-over', {
      steps: [
        {
          id: 'each',
          type: 'control.forEach',
          retry: { maxAttempts: 3, initialDelayMs: 1 },
          config: { items: { $expr: '[1..10001]' }, steps: [] },
        },
      ],
    });
    expect(over.status).toBe('FAILED');
    expect(over.error).toMatchObject({
      code: 'VALIDATION',
      stepId: 'each',
      message: expect.stringMatching(/10001 entries; a forEach takes at most 10000/),
    });
    expect(over.steps.map((s) => [s.step_id, s.status])).toEqual([['each', 'FAILED']]);

    const limit = await run('foreach-limit', {
      steps: [
        {
          id: 'each',
          type: 'control.forEach',
          config: { items: { $expr: '[1..10000]' }, steps: [], collect: { $expr: '$item' }, saveAs: 'vars.all' },
        },
      ],
      output: { $expr: '$count(vars.all)' },
    });
    expect(limit.status).toBe('SUCCEEDED');
    expect(limit.output).toBe(10_000);
  }, 60_000);
});

describe('vars paths with huge indexes', () => {
  it(`refuses an index past ${MAX_VARS_INDEX} with a VALIDATION error, before writing anything`, () => {
    const vars: Record<string, unknown> = {};
    expect(() => applyAssignment(vars, 'vars.x[99999999]', 1)).toThrow(AppError);
    expect(() => applyAssignment(vars, 'vars.x[99999999]', 1)).toThrow(
      /vars\.x\[99999999\]: an index may be at most 9999/,
    );
    expect(() =>
      applyAssignments(vars, [
        { path: 'vars.ok', value: 1 },
        { path: 'vars.a[0].b[10000]', value: 2 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(vars).toEqual({});
    applyAssignment(vars, `vars.x[${MAX_VARS_INDEX}]`, 'last');
    expect((vars.x as unknown[]).length).toBe(MAX_VARS_INDEX + 1);
  });

  it('refuses to publish a literal vars.x[99999999], naming the step and path', async () => {
    await expect(
      publishWorkflow({
        db: t.db,
        ctx,
        key: 'huge-index',
        document: { steps: [{ id: 'set', type: 'transform.assign', config: { assign: { 'vars.x[99999999]': 1 } } }] },
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      details: [
        expect.objectContaining({
          stepId: 'set',
          path: 'steps[0].config.assign.vars.x[99999999]',
          message: 'an index may be at most 9999',
        }),
      ],
    });
  });
});
