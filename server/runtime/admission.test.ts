import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { wakeRun } from '@/server/runtime/run-store/wake-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { retryRun } from '@/server/runs/retry-run';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let ctx: TAuthContext;
beforeAll(async () => {
  t = await createTestDatabase('admission');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

const start = (key: string) =>
  startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } }).then((r) => r.runId);
const statusOf = async (runId: string) =>
  (await t.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow()).status;

describe('workflow limits hold runs QUEUED until they may start', () => {
  it('maxConcurrentRuns: a second run waits for the first to finish, then starts', async () => {
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'one-at-a-time',
      document: {
        settings: { maxConcurrentRuns: 1 },
        steps: [{ id: 'hold', type: 'event.wait', config: { event: 'go' } }],
      },
    });
    const first = await start('one-at-a-time');
    const second = await start('one-at-a-time');
    expect(await driveRun({ db: t.db, runId: first })).toBe('WAITING');
    expect(await driveRun({ db: t.db, runId: second })).toBe('QUEUED');

    await t.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('run_waits')
        .set({ status: 'resolved', payload: '{}', resolved_at: sql`now()` })
        .where('run_id', '=', first)
        .where('status', '=', 'open')
        .execute();
      await wakeRun({ db: tx, runId: first, reason: 'test' });
    });
    expect(await driveRun({ db: t.db, runId: first })).toBe('SUCCEEDED');
    // The finished run sent the held one a job; it now starts and reaches its own wait.
    const jobs = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pgboss.job WHERE data->>'runId' = ${second} AND state = 'created'`.execute(t.db);
    expect(jobs.rows[0]?.n).toBeGreaterThan(0);
    expect(await driveRun({ db: t.db, runId: second })).toBe('WAITING');
  });

  it('runsPerMinute: a run over the rate stays QUEUED with a job due when the window has room', async () => {
    await publishWorkflow({ db: t.db, ctx, key: 'slow-rate', document: { settings: { runsPerMinute: 1 }, steps: [] } });
    const first = await start('slow-rate');
    const second = await start('slow-rate');
    expect(await driveRun({ db: t.db, runId: first })).toBe('SUCCEEDED');
    expect(await driveRun({ db: t.db, runId: second, maxPasses: 1 })).toBe('QUEUED');
    const due = await sql<{
      start_after: Date;
    }>`SELECT start_after FROM pgboss.job WHERE data->>'runId' = ${second} AND state = 'created' ORDER BY start_after DESC LIMIT 1`.execute(
      t.db,
    );
    expect(due.rows[0]!.start_after.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(await statusOf(second)).toBe('QUEUED');
  });
});

describe('settings.timeoutMs', () => {
  it('fails a run that outlives its timeout with TIMEOUT, closing its waits', async () => {
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'deadline',
      document: {
        settings: { timeoutMs: 1000 },
        steps: [{ id: 'long', type: 'time.delay', config: { durationMs: 60_000 } }],
      },
    });
    const runId = await start('deadline');
    expect(await driveRun({ db: t.db, runId })).toBe('FAILED');
    const run = await t.db.selectFrom('runs').select(['error']).where('id', '=', runId).executeTakeFirstOrThrow();
    expect(run.error).toMatchObject({ code: 'TIMEOUT' });
    const open = await t.db
      .selectFrom('run_waits')
      .select('id')
      .where('run_id', '=', runId)
      .where('status', '=', 'open')
      .execute();
    expect(open).toHaveLength(0);
  });
});

describe("settings.timeoutMs and the run's open work", () => {
  it('a run that finishes in time leaves no timeout wait open', async () => {
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'quick-deadline',
      document: {
        settings: { timeoutMs: 60_000 },
        steps: [{ id: 'x', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }],
      },
    });
    const runId = await start('quick-deadline');
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    const open = await t.db
      .selectFrom('run_waits')
      .select(['step_path'])
      .where('run_id', '=', runId)
      .where('status', '=', 'open')
      .execute();
    expect(open).toEqual([]);
  });

  it('an operator retry after TIMEOUT gives the run a new window instead of failing it again at once', async () => {
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'retry-deadline',
      document: {
        settings: { timeoutMs: 1000 },
        steps: [{ id: 'hold', type: 'event.wait', config: { event: 'never' } }],
      },
    });
    const runId = await start('retry-deadline');
    expect(await driveRun({ db: t.db, runId, maxPasses: 1 })).toBe('WAITING');
    const due = await t.db
      .selectFrom('run_waits')
      .select('resume_at')
      .where('run_id', '=', runId)
      .where('step_path', '=', '$run.timeout')
      .executeTakeFirstOrThrow();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due.resume_at!.getTime() - Date.now()) + 20));
    expect(await driveRun({ db: t.db, runId })).toBe('FAILED');

    const operator = (await addMemberTo({ db: t.db, ctx, role: 'operator' })).ctx;
    const retriedAt = Date.now();
    await retryRun({ db: t.db, ctx: operator, input: { id: runId } });
    expect(await driveRun({ db: t.db, runId, maxPasses: 1 })).toBe('WAITING');
    const windows = await t.db
      .selectFrom('run_waits')
      .select(['status', 'resume_at'])
      .where('run_id', '=', runId)
      .where('step_path', '=', '$run.timeout')
      .orderBy('created_at')
      .execute();
    expect(windows.map((w) => w.status)).toEqual(['canceled', 'open']);
    // The new window counts from the retry, not from the run's start.
    expect(windows[1]!.resume_at!.getTime()).toBeGreaterThanOrEqual(retriedAt + 1000);
  });
});
