import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { completeTask } from '@/server/tasks/complete-task';
import { countMyOpenTasks } from '@/server/tasks/count-my-open-tasks';
import { listTasks } from '@/server/tasks/list-tasks';
import { clearDelegation, getMyDelegation, setDelegation } from '@/server/tasks/task-delegation';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
type TPerson = { ctx: TAuthContext; email: string };
let admin: TAuthContext;
let ann: TPerson;
let ben: TPerson;
let cat: TPerson;
let viewer: TPerson;
let outsider: TPerson;

const DAY = 86_400_000;
const around = (fromDays: number, untilDays: number) => ({
  from: new Date(Date.now() + fromDays * DAY).toISOString(),
  until: new Date(Date.now() + untilDays * DAY).toISOString(),
});

beforeAll(async () => {
  t = await createTestDatabase('task_delegation');
  process.env.DATABASE_URL = t.url;
  admin = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  ann = await addMemberTo({ db: t.db, ctx: admin, role: 'operator' });
  ben = await addMemberTo({ db: t.db, ctx: admin, role: 'operator' });
  cat = await addMemberTo({ db: t.db, ctx: admin, role: 'operator' });
  viewer = await addMemberTo({ db: t.db, ctx: admin, role: 'viewer' });
  const other = await createTenantWithMember({ db: t.db, role: 'operator' });
  outsider = { ctx: other.ctx, email: other.email };
  await publishWorkflow({
    db: t.db,
    ctx: admin,
    key: 'for-ann',
    document: {
      steps: [
        {
          id: 'approve',
          type: 'human.task',
          config: {
            title: 'Approve the leave request',
            form: { type: 'object' },
            outcomes: ['approve', 'reject'],
            assignee: { user: ann.email },
            saveAs: 'vars.answer',
          },
        },
      ],
      output: { $expr: 'vars.answer' },
    },
  });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function openTask(): Promise<{ runId: string; taskId: string }> {
  const { runId } = await startRun({
    tenantId: admin.tenantId,
    workflowKey: 'for-ann',
    input: {},
    trigger: { type: 'api' },
  });
  expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
  const row = await t.db.selectFrom('tasks').select('id').where('run_id', '=', runId).executeTakeFirstOrThrow();
  return { runId, taskId: row.id };
}

describe('delegation', () => {
  it('lets the delegate see and answer the delegator’s tasks in the range, recorded on behalf of them', async () => {
    const { runId, taskId } = await openTask();
    await expect(
      completeTask({ db: t.db, ctx: ben.ctx, input: { id: taskId, outcome: 'approve', data: {} } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(
      await setDelegation({ db: t.db, ctx: ann.ctx, input: { delegateTo: ben.email.toUpperCase(), ...around(-1, 1) } }),
    ).toMatchObject({
      delegateTo: ben.email,
    });
    expect(await getMyDelegation({ db: t.db, ctx: ann.ctx })).toMatchObject({ delegateTo: ben.email });
    const mine = await listTasks({ db: t.db, ctx: ben.ctx, input: { assignedTo: 'me', status: 'open' } });
    expect(mine.items.map((task) => task.id)).toContain(taskId);
    expect(await countMyOpenTasks({ db: t.db, ctx: ben.ctx })).toBe(1);
    // No chains: cat, to whom ben delegates, does not get ann's task.
    await setDelegation({ db: t.db, ctx: ben.ctx, input: { delegateTo: cat.email, ...around(5, 6) } });
    await t.db
      .updateTable('task_delegations')
      .set({ starts_at: new Date(Date.now() - DAY) })
      .where('user_id', '=', ben.ctx.actor.type === 'user' ? ben.ctx.actor.userId : '')
      .execute();
    await expect(
      completeTask({ db: t.db, ctx: cat.ctx, input: { id: taskId, outcome: 'approve', data: {} } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const done = await completeTask({ db: t.db, ctx: ben.ctx, input: { id: taskId, outcome: 'approve', data: {} } });
    expect(done).toMatchObject({
      status: 'completed',
      completedBy: ben.email,
      answers: [{ by: ben.email, onBehalfOf: ann.email, outcome: 'approve' }],
    });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    const run = await t.db.selectFrom('runs').select('output').where('id', '=', runId).executeTakeFirstOrThrow();
    expect(run.output).toMatchObject({ answers: [{ by: ben.email, onBehalfOf: ann.email }] });
    await clearDelegation({ db: t.db, ctx: ben.ctx });
    await clearDelegation({ db: t.db, ctx: ann.ctx });
    expect(await getMyDelegation({ db: t.db, ctx: ann.ctx })).toBeNull();
  });

  it('refuses chains, oneself, strangers, viewers and backwards ranges; ends when cleared or past', async () => {
    await setDelegation({ db: t.db, ctx: cat.ctx, input: { delegateTo: ann.email, ...around(0, 3) } });
    await expect(
      setDelegation({ db: t.db, ctx: ben.ctx, input: { delegateTo: cat.email, ...around(1, 2) } }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('do not chain') });
    await clearDelegation({ db: t.db, ctx: cat.ctx });
    await expect(
      setDelegation({ db: t.db, ctx: ann.ctx, input: { delegateTo: ann.email, ...around(0, 1) } }),
    ).rejects.toMatchObject({ code: 'VALIDATION', details: [{ path: 'delegateTo' }] });
    await expect(
      setDelegation({ db: t.db, ctx: ann.ctx, input: { delegateTo: outsider.email, ...around(0, 1) } }),
    ).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('not a member') });
    await expect(
      setDelegation({ db: t.db, ctx: ann.ctx, input: { delegateTo: viewer.email, ...around(0, 1) } }),
    ).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('cannot answer tasks') });
    await expect(
      setDelegation({ db: t.db, ctx: ann.ctx, input: { delegateTo: ben.email, ...around(2, 1) } }),
    ).rejects.toThrow(/must be after the start/);
    await setDelegation({ db: t.db, ctx: ann.ctx, input: { delegateTo: ben.email, ...around(-3, -1) } });
    const { taskId } = await openTask();
    await expect(
      completeTask({ db: t.db, ctx: ben.ctx, input: { id: taskId, outcome: 'approve', data: {} } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await countMyOpenTasks({ db: t.db, ctx: ben.ctx })).toBe(0);
  });
});
