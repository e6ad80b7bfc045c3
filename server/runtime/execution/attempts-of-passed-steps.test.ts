import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { migrateRun } from '@/server/runs/migrate-run';
import { retryRun } from '@/server/runs/retry-run';
import { completeTask } from '@/server/tasks/complete-task';
import type { TStepInput } from '@/model/definition/step';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishNextVersion, publishWorkflow } from '@/test/runtime';

// Issue #16 row E: every durable commit writes `runs.execution` whole, and it kept an attempt
// count per step path ever run, so a step's commit grew with the steps before it. A count now
// leaves when its pipe passes the step; what runs a passed path again reads it back.
let t: TTestDatabase;
let ctx: TAuthContext;
beforeAll(async () => {
  t = await createTestDatabase('attempts_of_passed_steps');
  process.env.DATABASE_URL = t.url;
  ({ ctx } = await createTenantWithMember({ db: t.db, role: 'admin' }));
});
afterAll(async () => {
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

const echo = (id: string): TStepInput => ({
  id,
  type: 'action.call',
  config: { action: 'core.echo', version: 1, input: { id } },
});
const task = (id: string): TStepInput => ({
  id,
  type: 'human.task',
  config: { title: id, form: { type: 'object', properties: {} }, outcomes: ['yes'], assignee: { role: 'operator' } },
});
const failing = (id: string): TStepInput => ({
  id,
  type: 'control.fail',
  onError: 'continue',
  config: { code: 'BOOM', message: 'boom' },
});

/** Publishes `steps` as version `version` of `key` (the first creates it). */
const publish = (key: string, version: number, steps: TStepInput[]) =>
  version === 1
    ? publishWorkflow({ db: t.db, ctx, key, document: { steps } })
    : publishNextVersion({ db: t.db, ctx, key, version, document: { steps } });

async function startWaiting(key: string): Promise<string> {
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
  expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
  return runId;
}

async function answerTask(runId: string): Promise<void> {
  const open = await t.db
    .selectFrom('tasks')
    .select('id')
    .where('run_id', '=', runId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  await completeTask({ db: t.db, ctx, input: { id: open.id, outcome: 'yes', data: {} } });
}

async function storedExecution(runId: string) {
  const row = await sql<{ execution: { attempts: Record<string, number> }; bytes: number }>`
    SELECT execution, pg_column_size(execution) AS bytes FROM runs WHERE id = ${runId}`.execute(t.db);
  return row.rows[0]!;
}

const records = (runId: string) =>
  t.db
    .selectFrom('run_steps')
    .select(['step_id', 'path', 'attempt', 'status'])
    .where('run_id', '=', runId)
    .orderBy('started_at')
    .orderBy('attempt')
    .execute();

describe('execution.attempts', () => {
  it('keeps no count of a passed step: after 10 or 40 calls the stored execution is the same size', async () => {
    const calls = (n: number) => Array.from({ length: n }, (_, i) => echo(`call${i}`));
    await publish('ten-calls', 1, [...calls(10), task('review')]);
    await publish('forty-calls', 1, [...calls(40), task('review')]);
    const ten = await storedExecution(await startWaiting('ten-calls'));
    const forty = await storedExecution(await startWaiting('forty-calls'));
    // Only the step the run waits on counts: it has a record and runs on.
    expect(ten.execution.attempts).toEqual({ 'steps[10]': 1 });
    expect(forty.execution.attempts).toEqual({ 'steps[40]': 1 });
    expect(forty.bytes).toBe(ten.bytes);
  });

  it('a migration that moves a step that failed after where the run waits: it runs again as attempt 2', async () => {
    // The failed step was passed (onError continue), so the execution lost its count; the
    // migration reads it back from the step's record at its new path.
    await publish('moved-failure', 1, [failing('flaky'), task('review')]);
    const runId = await startWaiting('moved-failure');
    expect((await storedExecution(runId)).execution.attempts).toEqual({ 'steps[1]': 1 });
    await publish('moved-failure', 2, [task('review'), failing('flaky')]);
    await migrateRun({ db: t.db, ctx, input: { id: runId, version: 2 } });
    await answerTask(runId);
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    const flaky = (await records(runId)).filter((r) => r.step_id === 'flaky');
    expect(flaky.map((r) => [r.path, r.attempt, r.status])).toEqual([
      ['steps[1]', 1, 'FAILED'],
      ['steps[1]', 2, 'FAILED'],
    ]);
  });

  it('an execution saved with a count per step ever run (before this) goes on, and keeps those counts', async () => {
    await publish('old-shape', 1, [echo('first'), echo('second'), task('review'), echo('after')]);
    const runId = await startWaiting('old-shape');
    // As the code before this saved it: every path it had run, the passed ones included.
    const { execution } = await storedExecution(runId);
    const old = { ...execution, formatVersion: 2, attempts: { 'steps[0]': 1, 'steps[1]': 1, 'steps[2]': 1 } };
    await t.db
      .updateTable('runs')
      .set({ execution: JSON.stringify(old) })
      .where('id', '=', runId)
      .execute();
    await answerTask(runId);
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect((await records(runId)).map((r) => [r.path, r.attempt, r.status])).toEqual([
      ['steps[0]', 1, 'SUCCEEDED'],
      ['steps[1]', 1, 'SUCCEEDED'],
      ['steps[2]', 1, 'SUCCEEDED'],
      ['steps[3]', 1, 'SUCCEEDED'],
    ]);
    // The steps it passed under this code leave no count; the old ones are read as they are.
    expect((await storedExecution(runId)).execution.attempts).toEqual({ 'steps[0]': 1, 'steps[1]': 1 });
  });
  it('an operator retry of a failed child-workflow step: the new child is waited on as attempt 2', async () => {
    await publish('failing-child', 1, [
      failing('x'),
      { id: 'boom', type: 'control.fail', config: { code: 'NO', message: 'no' } },
    ]);
    await publish('parent-of-failing', 1, [
      { id: 'child', type: 'control.callWorkflow', config: { workflow: 'failing-child', input: {} } },
      echo('after'),
    ]);
    const runId = await startWaiting('parent-of-failing');
    const childOf = async () => {
      const child = await t.db
        .selectFrom('runs')
        .select('id')
        .where('parent_run_id', '=', runId)
        .where('status', 'not in', ['FAILED'])
        .executeTakeFirstOrThrow();
      expect(await driveRun({ db: t.db, runId: child.id })).toBe('FAILED');
    };
    await childOf();
    expect(await driveRun({ db: t.db, runId })).toBe('FAILED');
    await retryRun({ db: t.db, ctx, input: { id: runId } });
    expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
    await childOf();
    expect(await driveRun({ db: t.db, runId })).toBe('FAILED');
    expect((await records(runId)).map((r) => [r.path, r.attempt, r.status])).toEqual([
      ['steps[0]', 1, 'FAILED'],
      ['steps[0]', 2, 'FAILED'],
    ]);
  });
});
