import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { insertRuns, insertRunsStatement, type TNewRun } from '@/server/runtime/run-store/insert-run';
import { closeQueue } from '@/server/runtime/queue/run-queue';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

/**
 * A start's statement counts each tenant's queued runs for the fairness priority (FAIR_RANK_CAP):
 * once per tenant of the batch, not once per run, which read a backlog of queued runs again for
 * every run a batch of concurrent starts carries.
 */
let t: TTestDatabase;
const tenants: TAuthContext[] = [];
const versions: Array<{ workflowId: string; versionId: string; version: number }> = [];

beforeAll(async () => {
  t = await createTestDatabase('insert_runs_backlog');
  process.env.DATABASE_URL = t.url;
  for (let i = 0; i < 2; i++) {
    const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
    tenants.push(ctx);
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'one',
      document: { steps: [{ id: 'one', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
    });
    const v = await t.db
      .selectFrom('workflow_versions as v')
      .innerJoin('workflows as w', 'w.id', 'v.workflow_id')
      .select(['v.workflow_id', 'v.id', 'v.version'])
      .where('w.tenant_id', '=', ctx.tenantId)
      .executeTakeFirstOrThrow();
    versions.push({ workflowId: v.workflow_id, versionId: v.id, version: v.version });
  }
});
afterAll(async () => {
  await closeQueue();
  await t.close();
});

const newRun = (tenant: number): TNewRun => ({
  id: crypto.randomUUID(),
  tenantId: tenants[tenant]!.tenantId,
  workflowId: versions[tenant]!.workflowId,
  workflowKey: 'one',
  versionId: versions[tenant]!.versionId,
  version: versions[tenant]!.version,
  input: {},
  trigger: { type: 'api' },
  parent: null,
  idempotencyKey: null,
});

/** How often the statement's plan read the tenants' queued runs (the backlog count's scan), run and rolled back. */
async function backlogScans(runs: TNewRun[]): Promise<number> {
  const statement = await insertRunsStatement(t.db, runs);
  const lines = await t.db.connection().execute(async (conn) => {
    // In a transaction rolled back: the explained statement inserts the runs.
    await sql`BEGIN`.execute(conn);
    try {
      const explained = await conn.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`EXPLAIN (ANALYZE, COSTS OFF) ${statement.sql}`, [...statement.parameters]),
      );
      return explained.rows.map((row) => row['QUERY PLAN']);
    } finally {
      await sql`ROLLBACK`.execute(conn);
    }
  });
  // The scan below the count's Limit: "Index Only Scan … on runs r_1 (actual … loops=N)".
  const scan = lines.find((line) => /Scan .*on runs r_\d+ .*loops=\d+/.test(line));
  if (!scan) throw new Error(`no backlog scan in the plan:\n${lines.join('\n')}`);
  return Number(/loops=(\d+)/.exec(scan)![1]);
}

it('counts a tenant’s queued runs once per tenant of a batch, not once per run', async () => {
  // A backlog to count: 200 queued runs of the first tenant, 100 of the second.
  for (let i = 0; i < 10; i++)
    await insertRuns(
      t.db,
      Array.from({ length: 20 }, () => newRun(0)),
    );
  for (let i = 0; i < 5; i++)
    await insertRuns(
      t.db,
      Array.from({ length: 20 }, () => newRun(1)),
    );
  await sql`ANALYZE runs`.execute(t.db);

  expect(await backlogScans(Array.from({ length: 8 }, () => newRun(0)))).toBe(1);
  expect(await backlogScans([...Array.from({ length: 5 }, () => newRun(0)), newRun(1), newRun(1)])).toBe(2);
}, 120_000);
