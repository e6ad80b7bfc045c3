import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { getDb, setDb, type Db } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { ADVANCE_QUEUE, getQueue } from '@/server/runtime/queue/run-queue';
import { startRun } from '@/server/runtime/start-run';
import { startWorkflowRun } from '@/server/runs/start-workflow-run';
import { publishVersion } from '@/server/workflows/publish-version';
import { saveDraft } from '@/server/workflows/save-draft';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

/**
 * The start path (ARCHITECTURE "Starting a run"): a plain start is one statement, shared with
 * the starts around it, validated against a cached pin that the statement itself confirms.
 */

let t: TTestDatabase;
let ctx: TAuthContext;
/** Every statement the process-wide handle sends, in order. */
let statements: string[] = [];
let counting: Db;

beforeAll(async () => {
  t = await createTestDatabase('start_run');
  process.env.DATABASE_URL = t.url;
  // The process-wide handle, with Kysely's log hook: it sees every statement, raw ones included.
  counting = new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: t.url, max: 5 }) }),
    log: (event) => {
      if (event.level === 'query') statements.push(event.query.sql);
    },
  }) as Db;
  setDb(counting);
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'plain',
    document: {
      parameterSchema: { type: 'object', properties: { n: { type: 'number' } } },
      steps: [{ id: 'one', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }],
    },
  });
});
afterAll(async () => {
  await (await getQueue()).stop({ graceful: false, close: true });
  await counting.destroy();
  await t.close();
});

const startPlain = (input: unknown) => startWorkflowRun({ db: t.db, ctx, input: { key: 'plain', input } });

async function written(runId: string) {
  const run = await t.db
    .selectFrom('runs')
    .select(['status', 'event_seq', 'version'])
    .where('id', '=', runId)
    .executeTakeFirst();
  const events = await t.db.selectFrom('run_events').select(['seq', 'type']).where('run_id', '=', runId).execute();
  const audit = await t.db
    .selectFrom('audit_log')
    .select(['action', 'actor_type'])
    .where('target_id', '=', runId)
    .execute();
  const jobs = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId}`.execute(
    t.db,
  );
  return { run, events, audit, jobs: jobs.rows[0]!.n };
}

describe('a plain start', () => {
  it('is one statement once its version is known: the run, its first event, audit entry and job together', async () => {
    await startPlain({ n: 1 }); // pins the version (and starts pg-boss)
    statements = [];
    const { runId } = await startPlain({ n: 2 });
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/INSERT INTO runs/);
    expect(await written(runId)).toEqual({
      run: { status: 'QUEUED', event_seq: 1, version: 1 },
      events: [{ seq: 1, type: 'run.queued' }],
      audit: [{ action: 'run.started', actor_type: 'user' }],
      jobs: 1,
    });
  });

  it('shares statements with the starts around it, and each run still gets all of its rows', async () => {
    statements = [];
    const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => startPlain({ n: i }).then((r) => r.runId)));
    expect(new Set(ids).size).toBe(40);
    expect(statements.length).toBeLessThan(40);
    for (const id of ids) expect((await written(id)).jobs).toBe(1);
    const events = await t.db
      .selectFrom('run_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('run_id', 'in', ids)
      .executeTakeFirstOrThrow();
    expect(Number(events.n)).toBe(40);
  });

  it('does not fail the others when the database refuses one run of a shared statement', async () => {
    await startPlain({ n: 0 });
    const results = await Promise.allSettled([
      startRun({ tenantId: ctx.tenantId, workflowKey: 'plain', input: { n: 1 }, trigger: { type: 'api' } }),
      startRun({
        tenantId: ctx.tenantId,
        workflowKey: 'plain',
        input: { n: 2, note: 'nul \u0000 here' },
        trigger: { type: 'api' },
      }),
      startRun({ tenantId: ctx.tenantId, workflowKey: 'plain', input: { n: 3 }, trigger: { type: 'api' } }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('pins a version published since the last start, and checks the input against that one', async () => {
    await startPlain({ n: 1 });
    await saveDraft({
      db: t.db,
      ctx,
      input: {
        key: 'plain',
        document: {
          key: 'plain',
          name: 'plain',
          parameterSchema: {
            type: 'object',
            required: ['n', 'who'],
            properties: { n: { type: 'number' }, who: { type: 'string' } },
          },
          steps: [{ id: 'one', type: 'transform.assign', config: { assign: { 'vars.x': 2 } } }],
        } as never,
      },
    });
    await publishVersion({ db: t.db, ctx, input: { key: 'plain', version: 2 } });
    // Valid for version 1, not for version 2: refused, and no run of version 1 slips in.
    const before = await t.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    await expect(startPlain({ n: 5 })).rejects.toMatchObject({ code: 'VALIDATION' });
    const after = await t.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    const { runId } = await startPlain({ n: 5, who: 'me' });
    expect((await written(runId)).run?.version).toBe(2);
    // An explicit version still starts that version.
    const pinned = await startWorkflowRun({ db: t.db, ctx, input: { key: 'plain', version: 1, input: { n: 1 } } });
    expect((await written(pinned.runId)).run?.version).toBe(1);
  });

  it('refuses a workflow archived since the last start, and answers NOT_FOUND once it is deleted', async () => {
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'goes-away',
      document: { steps: [{ id: 'one', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
    });
    await startWorkflowRun({ db: t.db, ctx, input: { key: 'goes-away', input: {} } });
    await t.db.updateTable('workflows').set({ status: 'archived' }).where('key', '=', 'goes-away').execute();
    await expect(startWorkflowRun({ db: t.db, ctx, input: { key: 'goes-away', input: {} } })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await t.db.deleteFrom('workflows').where('key', '=', 'goes-away').execute();
    const error = await startWorkflowRun({ db: t.db, ctx, input: { key: 'goes-away', input: {} } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('NOT_FOUND');
  });

  it('is a worker job a pg-boss worker takes', async () => {
    const boss = await getQueue();
    const { runId } = await startPlain({ n: 9, who: 'worker' });
    const jobs = await boss.fetch<{ runId: string }>(ADVANCE_QUEUE, { batchSize: 500 });
    expect(jobs.map((job) => job.data.runId)).toContain(runId);
    expect(getDb()).toBe(counting);
  });
});
