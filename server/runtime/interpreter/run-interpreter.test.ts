import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import type { TAuthContext } from '@/server/auth/context';

let t: TTestDatabase;
let ctx: TAuthContext;
beforeAll(async () => {
  t = await createTestDatabase('interpreter');
  process.env.DATABASE_URL = t.url; // the run queue (pg-boss) lives in the same database
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function run(key: string, document: Parameters<typeof publishWorkflow>[0]['document'], input: unknown = {}) {
  await publishWorkflow({ db: t.db, ctx, key, document });
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input, trigger: { type: 'api' } });
  const status = await driveRun({ db: t.db, runId });
  const row = await t.db
    .selectFrom('runs')
    .select(['output', 'error', 'state'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  const steps = await t.db
    .selectFrom('run_steps')
    .select(['step_id', 'path', 'status', 'attempt', 'output'])
    .where('run_id', '=', runId)
    .orderBy('started_at')
    .execute();
  const events = await t.db
    .selectFrom('run_events')
    .select(['seq', 'type', 'step_id'])
    .where('run_id', '=', runId)
    .orderBy('seq')
    .execute();
  return { runId, status, output: row.output, error: row.error, state: row.state, steps, events };
}

describe('the interpreter', () => {
  it('runs steps in order, writes vars, state and output, with a gap-free event log', async () => {
    const result = await run(
      'basics',
      {
        parameterSchema: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] },
        steps: [
          {
            id: 'double',
            type: 'transform.assign',
            config: { assign: { 'vars.total': { $expr: 'payload.amount * 2' } } },
          },
          { id: 'mark', type: 'state.set', config: { state: 'doubled' } },
          {
            id: 'echo',
            type: 'action.call',
            config: {
              action: 'core.echo',
              version: 1,
              input: { total: { $expr: 'vars.total' } },
              saveAs: 'vars.echoed',
            },
          },
        ],
        output: { $expr: '{"total": vars.total, "echoed": vars.echoed.total, "state": meta.state}' },
      },
      { amount: 21 },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ total: 42, echoed: 42, state: 'doubled' });
    expect(result.state).toBe('doubled');
    expect(result.steps.map((s) => [s.step_id, s.status])).toEqual([
      ['double', 'SUCCEEDED'],
      ['mark', 'SUCCEEDED'],
      ['echo', 'SUCCEEDED'],
    ]);
    expect(result.events.map((e) => e.seq)).toEqual(result.events.map((_, i) => i + 1));
    expect(result.events.map((e) => e.type)).toEqual([
      'run.queued',
      'run.started',
      'step.started',
      'step.succeeded',
      'step.started',
      'step.succeeded',
      'step.started',
      'step.succeeded',
      'run.succeeded',
    ]);
  });

  it('branches with if and switch, and skips disabled steps', async () => {
    const result = await run(
      'branches',
      {
        steps: [
          {
            id: 'check',
            type: 'control.if',
            config: {
              condition: { $expr: 'payload.amount > 100' },
              then: [{ id: 'big', type: 'transform.assign', config: { assign: { 'vars.size': 'big' } } }],
              else: [{ id: 'small', type: 'transform.assign', config: { assign: { 'vars.size': 'small' } } }],
            },
          },
          {
            id: 'route',
            type: 'control.switch',
            config: {
              value: { $expr: 'vars.size' },
              cases: [
                {
                  when: 'small',
                  steps: [{ id: 'cheap', type: 'transform.assign', config: { assign: { 'vars.route': 'auto' } } }],
                },
              ],
              default: [{ id: 'manual', type: 'transform.assign', config: { assign: { 'vars.route': 'manual' } } }],
            },
          },
          { id: 'off', type: 'transform.assign', disabled: true, config: { assign: { 'vars.route': 'never' } } },
        ],
        output: { $expr: 'vars.route' },
      },
      { amount: 5 },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toBe('auto');
    expect(result.steps.find((s) => s.step_id === 'off')?.status).toBe('SKIPPED');
    expect(result.steps.some((s) => s.step_id === 'big' || s.step_id === 'manual')).toBe(false);
  });

  it('runs forEach iterations on copies of vars, concurrently, with results in item order', async () => {
    const result = await run(
      'loop',
      {
        steps: [
          { id: 'seed', type: 'transform.assign', config: { assign: { 'vars.seen': 0 } } },
          {
            id: 'each',
            type: 'control.forEach',
            config: {
              items: { $expr: 'payload.items' },
              concurrency: 3,
              collect: { $expr: 'vars.line' },
              saveAs: 'vars.lines',
              steps: [
                {
                  id: 'line',
                  type: 'transform.assign',
                  config: { assign: { 'vars.line': { $expr: '$item * 10 + $index' }, 'vars.seen': 99 } },
                },
              ],
            },
          },
        ],
        output: { $expr: '{"lines": vars.lines, "seen": vars.seen}' },
      },
      { items: [1, 2, 3, 4, 5] },
    );
    expect(result.status).toBe('SUCCEEDED');
    // Each iteration's write to vars.seen stayed in its own copy.
    expect(result.output).toEqual({ lines: [10, 21, 32, 43, 54], seen: 0 });
    expect(result.steps.filter((s) => s.step_id === 'line')).toHaveLength(5);
    expect(new Set(result.steps.filter((s) => s.step_id === 'line').map((s) => s.path)).size).toBe(5);
  });

  it('runs parallel branches and saves their results by branch id', async () => {
    const result = await run('fanout', {
      steps: [
        {
          id: 'both',
          type: 'control.parallel',
          config: {
            saveAs: 'vars.out',
            branches: [
              {
                id: 'a',
                result: { $expr: 'vars.x' },
                steps: [{ id: 'ax', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }],
              },
              {
                id: 'b',
                result: { $expr: 'vars.x' },
                steps: [{ id: 'bx', type: 'transform.assign', config: { assign: { 'vars.x': 2 } } }],
              },
            ],
          },
        },
      ],
      output: { $expr: 'vars.out' },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ a: 1, b: 2 });
  });

  it('catches a failure, exposes error inside catch, runs finally, and continues', async () => {
    const result = await run('guarded', {
      steps: [
        {
          id: 'guard',
          type: 'control.tryCatch',
          config: {
            try: [{ id: 'boom', type: 'control.fail', config: { code: 'OUT_OF_STOCK', message: 'No stock' } }],
            catch: [
              {
                id: 'note',
                type: 'transform.assign',
                config: { assign: { 'vars.caught': { $expr: 'error.code & ":" & error.stepId' } } },
              },
            ],
            finally: [{ id: 'tidy', type: 'transform.assign', config: { assign: { 'vars.tidied': true } } }],
          },
        },
        { id: 'after', type: 'transform.assign', config: { assign: { 'vars.after': true } } },
      ],
      output: { $expr: '{"caught": vars.caught, "tidied": vars.tidied, "after": vars.after}' },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ caught: 'OUT_OF_STOCK:boom', tidied: true, after: true });
  });

  it('fails the run with the control.fail code, or continues past it with onError continue', async () => {
    const failed = await run('fails', {
      steps: [
        { id: 'stop', type: 'control.fail', config: { code: 'REJECTED', message: 'Rejected by policy' } },
        { id: 'never', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } },
      ],
    });
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatchObject({
      code: 'REJECTED',
      message: 'Rejected by policy',
      stepId: 'stop',
      stepPath: 'steps[0]',
    });
    expect(failed.steps.some((s) => s.step_id === 'never')).toBe(false);

    const continued = await run('continues', {
      steps: [
        { id: 'soft', type: 'control.fail', onError: 'continue', config: { code: 'SOFT', message: 'ignored' } },
        { id: 'next', type: 'transform.assign', config: { assign: { 'vars.code': { $expr: 'error.code' } } } },
      ],
      output: { $expr: 'vars.code' },
    });
    expect(continued.status).toBe('SUCCEEDED');
    expect(continued.output).toBe('SOFT');
  });

  it('ends early with control.return, and waits durably on time.delay', async () => {
    const result = await run('early', {
      steps: [
        { id: 'nap', type: 'time.delay', config: { durationMs: 30 } },
        { id: 'done', type: 'control.return', config: { output: { $expr: '"returned"' } } },
        { id: 'never', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } },
      ],
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toBe('returned');
    expect(result.events.map((e) => e.type)).toContain('run.waiting');
    expect(result.events.map((e) => e.type)).toContain('run.resumed');
    expect(result.steps.find((s) => s.step_id === 'nap')?.status).toBe('SUCCEEDED');
  });

  it('refuses input that does not match the parameter schema, creating no run', async () => {
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'strict-input',
      document: {
        parameterSchema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        steps: [],
      },
    });
    await expect(
      startRun({ tenantId: ctx.tenantId, workflowKey: 'strict-input', input: { id: 7 }, trigger: { type: 'api' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    const runs = await t.db
      .selectFrom('runs')
      .innerJoin('workflows', 'workflows.id', 'runs.workflow_id')
      .select('runs.id')
      .where('workflows.key', '=', 'strict-input')
      .execute();
    expect(runs).toHaveLength(0);
  });
});
