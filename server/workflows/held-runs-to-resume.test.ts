import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { startRun } from '@/server/runtime/start-run';
import { heldRunsToResume } from '@/server/workflows/set-workflow-paused';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import { cloneRuns } from '@/test/clone-runs';

/**
 * A resumed workflow sends its held runs a job (setWorkflowPaused). The look must be served by
 * an index that orders the workflow's QUEUED runs by age, not walk the workflow's history,
 * without the index of QUEUED runs by workflow id every run's insert and claim used to pay for.
 */
let t: TTestDatabase;
let ctx: TAuthContext;
let template: string;

beforeAll(async () => {
  t = await createTestDatabase('held_runs_to_resume');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  for (const key of ['paused', 'other'])
    await publishWorkflow({
      db: t.db,
      ctx,
      key,
      document: { steps: [{ id: 'hear', type: 'event.wait', config: { event: 'never.sent' } }] },
    });
  template = (await startRun({ tenantId: ctx.tenantId, workflowKey: 'paused', input: {}, trigger: { type: 'api' } }))
    .runId;
});
afterAll(async () => {
  await t.close();
}, 120_000);

it('finds a resumed workflow’s oldest held runs through the runs list’s (tenant, key, status, age) index', async () => {
  const other = await t.db.selectFrom('workflows').select('id').where('key', '=', 'other').executeTakeFirstOrThrow();
  // Years of history (ended, and never-claimed QUEUED runs of another workflow), then the held runs.
  await cloneRuns(
    t.db,
    template,
    3_000,
    { status: 'SUCCEEDED', fence: 1, completed_at: new Date().toISOString() },
    100_000,
  );
  await cloneRuns(t.db, template, 500, { status: 'QUEUED', fence: 0, workflow_id: other.id, workflow_key: 'other' }, 0);
  const held = await cloneRuns(t.db, template, 3, { status: 'QUEUED', fence: 2, lease_owner: null }, 10);
  await sql`ANALYZE runs`.execute(t.db);
  const workflow = await t.db
    .selectFrom('workflows')
    .select(['id', 'key'])
    .where('key', '=', 'paused')
    .executeTakeFirstOrThrow();
  const query = heldRunsToResume(t.db, { id: workflow.id, tenantId: ctx.tenantId, key: workflow.key });

  expect((await query.execute()).map((row) => row.id)).toEqual([...held].reverse());
  const plan = (await query.explain()).map((row) => String(row['QUERY PLAN'])).join('\n');
  expect(plan).toContain('runs_tenant_workflow_status_created_idx');
  expect(plan).not.toMatch(/Seq Scan on runs|Sort/);
}, 300_000);
