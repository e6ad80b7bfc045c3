import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { completeTask } from '@/server/tasks/complete-task';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

// SPEC §7.7: forEach concurrency is a window. Iterations waiting on a task keep their slot, and
// do not stop the other slots from taking the next items.
let t: TTestDatabase;
let ctx: TAuthContext;
beforeAll(async () => {
  t = await createTestDatabase('for_each_window');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

const openTasks = (runId: string) =>
  t.db
    .selectFrom('tasks')
    .select(['id', 'step_path'])
    .where('run_id', '=', runId)
    .where('status', '=', 'open')
    .orderBy('created_at')
    .execute();

async function answerEach({
  key,
  items,
  concurrency,
  pick,
}: {
  key: string;
  items: number;
  concurrency: number;
  pick: 'oldest' | 'newest';
}) {
  await publishWorkflow({
    db: t.db,
    ctx,
    key,
    document: {
      steps: [
        {
          id: 'each',
          type: 'control.forEach',
          config: {
            items: { $expr: `[1..${items}]` },
            concurrency,
            collect: { $expr: '$item' },
            saveAs: 'vars.done',
            steps: [
              {
                id: 'approve',
                type: 'human.task',
                config: { title: 'Approve', form: { type: 'object' }, outcomes: ['ok'], assignee: { role: 'admin' } },
              },
            ],
          },
        },
      ],
      output: { $expr: 'vars.done' },
    },
  });
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
  expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
  const openAfterEachAnswer: number[] = [(await openTasks(runId)).length];
  for (let answered = 1; answered <= items; answered++) {
    const open = await openTasks(runId);
    const task = pick === 'oldest' ? open[0] : open.at(-1);
    expect(task, `an open task after ${answered - 1} answers`).toBeDefined();
    await completeTask({ db: t.db, ctx, input: { id: task!.id, outcome: 'ok', data: {} } });
    const status = await driveRun({ db: t.db, runId });
    expect(status).toBe(answered === items ? 'SUCCEEDED' : 'WAITING');
    openAfterEachAnswer.push((await openTasks(runId)).length);
  }
  const run = await t.db.selectFrom('runs').select('output').where('id', '=', runId).executeTakeFirstOrThrow();
  expect(run.output).toEqual(Array.from({ length: items }, (_, i) => i + 1));
  return openAfterEachAnswer;
}

it.each(['oldest', 'newest'] as const)(
  '8 items at concurrency 3, each a task, answering the %s: the next item starts, 3 open until fewer are left',
  async (pick) => {
    expect(await answerEach({ key: `window-8-${pick}`, items: 8, concurrency: 3, pick })).toEqual([
      3, 3, 3, 3, 3, 3, 2, 1, 0,
    ]);
  },
);

it('100 items at concurrency 10: 10 tasks open at once, the 11th created as soon as one is answered', async () => {
  const open = await answerEach({ key: 'window-100', items: 100, concurrency: 10, pick: 'oldest' });
  expect(open).toEqual(Array.from({ length: 101 }, (_, answered) => Math.min(10, 100 - answered)));
}, 120_000);
