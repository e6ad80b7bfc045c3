import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

/**
 * Step record ids are time-ordered (RunWriter.startStep): they key the primary keys of
 * run_steps and run_snapshots, and random ones put each step's entries on a random page of
 * indexes as large as the whole history (a read when it is not cached, a full-page image in the
 * WAL after each checkpoint). In creation order, a run's records sort by id as they started.
 */
let t: TTestDatabase;

beforeAll(async () => {
  t = await createTestDatabase('step_record_ids');
  process.env.DATABASE_URL = t.url;
});
afterAll(async () => {
  await t.close();
});

it('gives a run’s step records ids in the order the steps started', async () => {
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  const steps = Array.from({ length: 12 }, (_, i) => ({
    id: `set${i}`,
    type: 'transform.assign',
    config: { assign: { [`vars.n${i}`]: i } },
  }));
  await publishWorkflow({ db: t.db, ctx, key: 'ordered', document: { steps } });
  const api = { type: 'api' } as const;
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: 'ordered', input: {}, trigger: api });
  expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
  const started = await sql<{ path: string }>`
    SELECT data->>'path' AS path FROM run_events WHERE run_id = ${runId} AND type = 'step.started' ORDER BY seq`.execute(
    t.db,
  );
  const byId = await sql<{ path: string; version: string }>`
    SELECT path, substr(id::text, 15, 1) AS version FROM run_steps WHERE run_id = ${runId} ORDER BY id`.execute(t.db);
  const paths = steps.map((_, i) => `steps[${i}]`);
  expect(started.rows.map((r) => r.path)).toEqual(paths);
  expect(byId.rows.map((r) => r.path)).toEqual(paths);
  expect(new Set(byId.rows.map((r) => r.version))).toEqual(new Set(['7']));
});
