import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { pauseRun } from '@/server/runs/pause-run';
import { resumeRun } from '@/server/runs/resume-run';
import { completeTask } from '@/server/tasks/complete-task';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { ADVANCE_QUEUE } from '@/server/runtime/queue/run-queue';
import { lockRunRow } from '@/server/runtime/run-store/lock-run-row';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import { until } from '@/test/faults/fault-harness';
import { workOffJobs } from '@/test/faults/work-off-jobs';

/**
 * SPEC §7.2 (one answer per wait) for an admin's resolve of a task wait (resumeRun with a
 * payload), the chaos sighting "2 one answer per wait" (seed 120821): a task journaled as
 * answered "approve" by the admin while its wait resolved "reject". The admin read the run
 * WAITING; an operator paused it before the resume landed; resumeRun then took the PAUSED
 * branch, resumed the run, dropped the payload and answered as if the wait were resolved. The
 * task stayed open and the next answer ("reject") decided it. Now such a call is refused (409)
 * and changes nothing. The interleavings are forced: the pause lands between the admin's read
 * and its call, and two answers wait on one held run row (a barrier) before racing.
 */
let t: TTestDatabase;
let editor: TAuthContext;
let operator: TAuthContext;
let admin: TAuthContext;
beforeAll(async () => {
  t = await createTestDatabase('admin_resolve_races');
  process.env.DATABASE_URL = t.url;
  editor = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  operator = (await addMemberTo({ db: t.db, ctx: editor, role: 'operator' })).ctx;
  admin = (await addMemberTo({ db: t.db, ctx: editor, role: 'admin' })).ctx;
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'ask',
    document: {
      steps: [
        {
          id: 'ask',
          type: 'human.task',
          config: {
            title: 'ask',
            form: { type: 'object' },
            outcomes: ['approve', 'reject'],
            assignee: { role: 'operator' },
            saveAs: 'vars.ask',
          },
        },
      ],
      output: { $expr: 'vars.ask.outcome' },
    },
  });
});
afterEach(async () => {
  await sql`UPDATE runs SET status = 'CANCELED', lease_owner = NULL, lease_expires_at = NULL WHERE status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELED')`.execute(
    t.db,
  );
  await sql`UPDATE pgboss.job SET state = 'completed' WHERE name = ${ADVANCE_QUEUE} AND state < 'completed'`.execute(
    t.db,
  );
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

/** A run WAITING on its task; the task's id and its wait's id. */
async function waitingOnTask(): Promise<{ runId: string; taskId: string; waitId: string }> {
  const { runId } = await startRun({
    tenantId: editor.tenantId,
    workflowKey: 'ask',
    input: {},
    trigger: { type: 'api' },
  });
  await workOffJobs(t.db, runId);
  const task = await t.db
    .selectFrom('tasks')
    .select(['id', 'wait_id'])
    .where('run_id', '=', runId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  return { runId, taskId: task.id, waitId: task.wait_id };
}

const waitOf = (waitId: string) =>
  t.db.selectFrom('run_waits').select(['status', 'payload']).where('id', '=', waitId).executeTakeFirstOrThrow();
const taskOf = (taskId: string) =>
  t.db
    .selectFrom('tasks')
    .select(['status', 'outcome', 'completed_by'])
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow();
const statusOf = async (runId: string) =>
  (await t.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow()).status;

const adminResolve = (runId: string, waitId: string) =>
  resumeRun({
    db: t.db,
    ctx: admin,
    input: { id: runId, waitId, payload: { outcome: 'approve', data: {} }, reason: 'admin resolve' },
  });
const answer = (taskId: string, outcome: string) =>
  completeTask({ db: t.db, ctx: operator, input: { id: taskId, outcome, data: {} } });

it("an admin's resolve that lands after an operator paused the run is refused and changes nothing; the task's one answer is the later one", async () => {
  const { runId, taskId, waitId } = await waitingOnTask();
  // The admin saw the run WAITING on this wait (the chaos operator's adminResolve reads it so);
  // the operator's pause lands before the admin's call.
  await pauseRun({ db: t.db, ctx: operator, input: { id: runId } });
  expect(await statusOf(runId)).toBe('PAUSED');
  // It used to answer { status: 'RUNNING' }: the run resumed, the payload dropped, the task still open.
  await expect(adminResolve(runId, waitId)).rejects.toMatchObject({
    code: 'CONFLICT',
    message: expect.stringContaining('is PAUSED, not WAITING'),
  });
  expect(await statusOf(runId)).toBe('PAUSED');
  expect(await waitOf(waitId)).toEqual({ status: 'open', payload: null });
  expect(await taskOf(taskId)).toMatchObject({ status: 'open' });
  // The next answer is the one: the wait and the task agree on it.
  await answer(taskId, 'reject');
  expect(await waitOf(waitId)).toMatchObject({
    status: 'resolved',
    payload: expect.objectContaining({ outcome: 'reject' }),
  });
  expect(await taskOf(taskId)).toMatchObject({ status: 'completed', outcome: 'reject' });
});

it('a plain resume of a PAUSED run (no payload, no wait named) still resumes it', async () => {
  const { runId } = await waitingOnTask();
  await pauseRun({ db: t.db, ctx: operator, input: { id: runId } });
  expect(await resumeRun({ db: t.db, ctx: admin, input: { id: runId } })).toMatchObject({ status: 'RUNNING' });
});

it("an operator's answer and an admin's resolve of one task wait, released together from a held run row: one wins, the wait, the task and the run's output all say its outcome", async () => {
  for (let round = 0; round < 6; round++) {
    const { runId, taskId, waitId } = await waitingOnTask();
    // The barrier: a transaction holds the run's row; both calls queue on it (every writer of
    // waits and tasks locks the run row first), then it commits and they race.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const barrier = t.db.transaction().execute(async (tx) => {
      await lockRunRow(tx, runId);
      holding();
      await released;
    });
    await held;
    const outcomes = round % 2 === 0 ? (['reject', 'admin'] as const) : (['admin', 'reject'] as const);
    const calls = outcomes.map((who) =>
      (who === 'admin' ? adminResolve(runId, waitId) : answer(taskId, 'reject')).then(
        () => ({ who, ok: true as const }),
        (error: { code?: string }) => ({ who, ok: false as const, code: error.code }),
      ),
    );
    // Both are waiting on the row lock before the barrier lets go.
    await until('both calls to wait on the run row', async () => {
      const waiting = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(
        t.db,
      );
      return waiting.rows[0]!.n >= 2;
    });
    release();
    await barrier;
    const results = await Promise.all(calls);
    const winners = results.filter((result) => result.ok);
    expect(winners).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toMatchObject({ code: 'CONFLICT' });
    const won = winners[0]!.who === 'admin' ? 'approve' : 'reject';
    expect(await waitOf(waitId)).toMatchObject({
      status: 'resolved',
      payload: expect.objectContaining({ outcome: won }),
    });
    expect(await taskOf(taskId)).toMatchObject({ status: 'completed', outcome: won });
    await workOffJobs(t.db, runId);
    expect(
      await t.db.selectFrom('runs').select(['status', 'output']).where('id', '=', runId).executeTakeFirstOrThrow(),
    ).toEqual({ status: 'SUCCEEDED', output: won });
  }
});
