import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { wakeRun } from '@/server/runtime/wake-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
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

const start = (key: string) => startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } }).then((r) => r.runId);
const statusOf = async (runId: string) => (await t.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow()).status;

describe('workflow limits hold runs QUEUED until they may start', () => {
  it('maxConcurrentRuns: a second run waits for the first to finish, then starts', async () => {
    await publishWorkflow({ db: t.db, ctx, key: 'one-at-a-time', document: { settings: { maxConcurrentRuns: 1 }, steps: [{ id: 'hold', type: 'event.wait', config: { event: 'go' } }] } });
    const first = await start('one-at-a-time');
    const second = await start('one-at-a-time');
    expect(await driveRun({ db: t.db, runId: first })).toBe('WAITING');
    expect(await driveRun({ db: t.db, runId: second })).toBe('QUEUED');

    await t.db.transaction().execute(async (tx) => {
      await tx.updateTable('run_waits').set({ status: 'resolved', payload: '{}', resolved_at: sql`now()` }).where('run_id', '=', first).where('status', '=', 'open').execute();
      await wakeRun({ db: tx, runId: first, reason: 'test' });
    });
    expect(await driveRun({ db: t.db, runId: first })).toBe('SUCCEEDED');
    // The finished run sent the held one a job; it now starts and reaches its own wait.
    const jobs = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pgboss.job WHERE data->>'runId' = ${second} AND state = 'created'`.execute(t.db);
    expect(jobs.rows[0]?.n).toBeGreaterThan(0);
    expect(await driveRun({ db: t.db, runId: second })).toBe('WAITING');
  });

  it('runsPerMinute: a run over the rate stays QUEUED with a job due when the window has room', async () => {
    await publishWorkflow({ db: t.db, ctx, key: 'slow-rate', document: { settings: { runsPerMinute: 1 }, steps: [] } });
    const first = await start('slow-rate');
    const second = await start('slow-rate');
    expect(await driveRun({ db: t.db, runId: first })).toBe('SUCCEEDED');
    expect(await driveRun({ db: t.db, runId: second, maxPasses: 1 })).toBe('QUEUED');
    const due = await sql<{ start_after: Date }>`SELECT start_after FROM pgboss.job WHERE data->>'runId' = ${second} AND state = 'created' ORDER BY start_after DESC LIMIT 1`.execute(t.db);
    expect(due.rows[0]!.start_after.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(await statusOf(second)).toBe('QUEUED');
  });
});

describe('settings.timeoutMs', () => {
  it('fails a run that outlives its timeout with TIMEOUT, closing its waits', async () => {
    await publishWorkflow({ db: t.db, ctx, key: 'deadline', document: { settings: { timeoutMs: 1000 }, steps: [{ id: 'long', type: 'time.delay', config: { durationMs: 60_000 } }] } });
    const runId = await start('deadline');
    expect(await driveRun({ db: t.db, runId })).toBe('FAILED');
    const run = await t.db.selectFrom('runs').select(['error']).where('id', '=', runId).executeTakeFirstOrThrow();
    expect(run.error).toMatchObject({ code: 'TIMEOUT' });
    const open = await t.db.selectFrom('run_waits').select('id').where('run_id', '=', runId).where('status', '=', 'open').execute();
    expect(open).toHaveLength(0);
  });
});
