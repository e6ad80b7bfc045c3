import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { completeTask } from '@/server/tasks/complete-task';
import { countMyOpenTasks } from '@/server/tasks/count-my-open-tasks';
import { getTask } from '@/server/tasks/get-task';
import { listTasks } from '@/server/tasks/list-tasks';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let admin: TAuthContext;
let operator: TAuthContext;
let operator2: { ctx: TAuthContext; email: string };
let stranger: TAuthContext;

const form = {
  type: 'object',
  required: ['amount'],
  properties: { amount: { type: 'number', minimum: 0 }, email: { type: 'string', format: 'email' } },
};
const task = (assignee: unknown) => ({
  steps: [
    {
      id: 'approve',
      type: 'human.task',
      config: { title: 'Approve the invoice', form, outcomes: ['approve', 'reject'], assignee, saveAs: 'vars.answer' },
    },
  ],
  output: { $expr: 'vars.answer' },
});

beforeAll(async () => {
  t = await createTestDatabase('complete_task');
  process.env.DATABASE_URL = t.url;
  admin = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  operator = (await addMemberTo({ db: t.db, ctx: admin, role: 'operator' })).ctx;
  operator2 = await addMemberTo({ db: t.db, ctx: admin, role: 'operator' });
  stranger = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  await publishWorkflow({ db: t.db, ctx: admin, key: 'by-role', document: task({ role: 'operator' }) });
  await publishWorkflow({ db: t.db, ctx: admin, key: 'by-person', document: task({ user: operator2.email }) });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function openTask(key: string): Promise<{ runId: string; taskId: string }> {
  const { runId } = await startRun({ tenantId: admin.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
  expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
  const row = await t.db.selectFrom('tasks').select('id').where('run_id', '=', runId).executeTakeFirstOrThrow();
  return { runId, taskId: row.id };
}

describe('tasks', () => {
  it('validates the answer, resumes the run with it, and refuses a second answer', async () => {
    const { runId, taskId } = await openTask('by-role');
    expect(await getTask({ db: t.db, ctx: operator, input: { id: taskId } })).toMatchObject({
      id: taskId,
      runId,
      workflowKey: 'by-role',
      stepId: 'approve',
      title: 'Approve the invoice',
      outcomes: ['approve', 'reject'],
      assignee: { role: 'operator' },
      status: 'open',
      form,
    });
    await expect(
      completeTask({ db: t.db, ctx: operator, input: { id: taskId, outcome: 'maybe', data: { amount: 1 } } }),
    ).rejects.toMatchObject({ code: 'VALIDATION', details: [{ path: 'outcome' }] });
    const bad = completeTask({
      db: t.db,
      ctx: operator,
      input: { id: taskId, outcome: 'approve', data: { amount: -1, email: 'nope' } },
    });
    await expect(bad).rejects.toMatchObject({ code: 'VALIDATION' });
    const error = (await bad.catch((e: unknown) => e)) as { details: { path: string }[] };
    expect(error.details.map((d) => d.path).sort()).toEqual(['data.amount', 'data.email']);
    await expect(
      completeTask({ db: t.db, ctx: operator, input: { id: taskId, outcome: 'approve', data: {} } }),
    ).rejects.toMatchObject({ code: 'VALIDATION', details: [{ path: 'data.amount' }] });
    const done = await completeTask({
      db: t.db,
      ctx: operator,
      input: { id: taskId, outcome: 'approve', data: { amount: 120 } },
    });
    expect(done).toMatchObject({
      status: 'completed',
      outcome: 'approve',
      data: { amount: 120 },
      completedBy: (operator.actor as { email: string }).email,
    });
    await expect(
      completeTask({ db: t.db, ctx: operator2.ctx, input: { id: taskId, outcome: 'reject', data: { amount: 1 } } }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    const run = await t.db.selectFrom('runs').select('output').where('id', '=', runId).executeTakeFirstOrThrow();
    expect(run.output).toMatchObject({
      outcome: 'approve',
      data: { amount: 120 },
      completedBy: done.completedBy,
      completedAt: done.completedAt,
    });
    const types = (
      await t.db.selectFrom('run_events').select('type').where('run_id', '=', runId).orderBy('seq').execute()
    ).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['task.created', 'task.completed', 'run.resumed']));
  });

  it('lets only the assignee (or an admin) answer; another tenant does not find the task', async () => {
    const { taskId } = await openTask('by-person');
    await expect(
      completeTask({ db: t.db, ctx: operator, input: { id: taskId, outcome: 'approve', data: { amount: 1 } } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      completeTask({ db: t.db, ctx: stranger, input: { id: taskId, outcome: 'approve', data: { amount: 1 } } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(getTask({ db: t.db, ctx: stranger, input: { id: taskId } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const viewer = (await addMemberTo({ db: t.db, ctx: admin, role: 'viewer' })).ctx;
    await expect(
      completeTask({ db: t.db, ctx: viewer, input: { id: taskId, outcome: 'approve', data: { amount: 1 } } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(
      await completeTask({
        db: t.db,
        ctx: operator2.ctx,
        input: { id: taskId, outcome: 'reject', data: { amount: 1 } },
      }),
    ).toMatchObject({ status: 'completed' });
    const { taskId: another } = await openTask('by-person');
    expect(
      await completeTask({ db: t.db, ctx: admin, input: { id: another, outcome: 'approve', data: { amount: 2 } } }),
    ).toMatchObject({ status: 'completed' });
  });

  it('lists open tasks and mine, with inbox counts', async () => {
    const role = await openTask('by-role');
    const person = await openTask('by-person');
    const mineForOperator = await listTasks({ db: t.db, ctx: operator, input: { status: 'open', mine: true } });
    expect(mineForOperator.items.map((x) => x.id)).toContain(role.taskId);
    expect(mineForOperator.items.map((x) => x.id)).not.toContain(person.taskId);
    const mineForPerson = await listTasks({
      db: t.db,
      ctx: operator2.ctx,
      input: { status: 'open', mine: 'true' as unknown as boolean },
    });
    expect(mineForPerson.items.map((x) => x.id)).toEqual(expect.arrayContaining([role.taskId, person.taskId]));
    expect(mineForPerson.counts).toEqual({ open: 2, mine: 2 });
    expect(mineForOperator.counts).toEqual({ open: 2, mine: 1 });
    expect(await countMyOpenTasks({ db: t.db, ctx: operator })).toBe(1);
    expect(await countMyOpenTasks({ db: t.db, ctx: operator2.ctx })).toBe(2);
    expect(await countMyOpenTasks({ db: t.db, ctx: stranger })).toBe(0);
    const page = await listTasks({ db: t.db, ctx: admin, input: { limit: 1 } });
    expect(page.items).toHaveLength(1);
    expect(
      (await listTasks({ db: t.db, ctx: admin, input: { limit: 1, cursor: page.nextCursor! } })).items[0]?.id,
    ).not.toBe(page.items[0]?.id);
    expect((await listTasks({ db: t.db, ctx: stranger, input: {} })).items).toEqual([]);
  });
});
