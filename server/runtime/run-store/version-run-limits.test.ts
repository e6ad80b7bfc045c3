import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { saveDraft } from '@/server/workflows/save-draft';
import { startRun } from '@/server/runtime/start-run';
import { oldestHeldRun } from '@/server/runtime/run-store/end-run-effects';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

/**
 * `workflow_versions.has_run_limits` (migration 20261229000100) stands in for the document's
 * settings in the look for a held run every finishing run makes (mayWaitForSlot): it must say
 * what the document says, for every way a version is written.
 */
let t: TTestDatabase;
let ctx: TAuthContext;
const steps = [{ id: 'only', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }];

beforeAll(async () => {
  t = await createTestDatabase('version_run_limits');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
});
afterAll(async () => {
  await t.close();
});

async function limitsOf(key: string): Promise<Array<[number, boolean]>> {
  const rows = await t.db
    .selectFrom('workflow_versions as v')
    .innerJoin('workflows as w', 'w.id', 'v.workflow_id')
    .select(['v.version', 'v.has_run_limits'])
    .where('w.key', '=', key)
    .where('w.tenant_id', '=', ctx.tenantId)
    .orderBy('v.version')
    .execute();
  return rows.map((row) => [row.version, row.has_run_limits]);
}

it('is true for a positive maxConcurrentRuns or runsPerMinute, false without them', async () => {
  await publishWorkflow({ db: t.db, ctx, key: 'concurrent', document: { settings: { maxConcurrentRuns: 2 }, steps } });
  await publishWorkflow({ db: t.db, ctx, key: 'per-minute', document: { settings: { runsPerMinute: 30 }, steps } });
  await publishWorkflow({ db: t.db, ctx, key: 'plain', document: { settings: { retentionDays: 3 }, steps } });
  await publishWorkflow({ db: t.db, ctx, key: 'bare', document: { steps } });
  expect(await limitsOf('concurrent')).toEqual([[1, true]]);
  expect(await limitsOf('per-minute')).toEqual([[1, true]]);
  expect(await limitsOf('plain')).toEqual([[1, false]]);
  expect(await limitsOf('bare')).toEqual([[1, false]]);
});

it('follows a draft as it is saved again', async () => {
  await publishWorkflow({ db: t.db, ctx, key: 'edited', document: { steps } });
  const save = (settings: Record<string, unknown>) =>
    saveDraft({
      db: t.db,
      ctx,
      input: { key: 'edited', document: { key: 'edited', name: 'edited', settings, steps } as never },
    });
  await save({ maxConcurrentRuns: 1 });
  expect(await limitsOf('edited')).toEqual([
    [1, false],
    [2, true],
  ]);
  await save({});
  expect(await limitsOf('edited')).toEqual([
    [1, false],
    [2, false],
  ]);
});

it('is read past a NUL escape elsewhere in the document, which json cannot extract text from', async () => {
  const nul = [{ id: 'nul', type: 'transform.assign', config: { assign: { 'vars.text': 'x\u0000y' } } }];
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'nul-limited',
    document: { settings: { runsPerMinute: 5 }, steps: nul },
  });
  await publishWorkflow({ db: t.db, ctx, key: 'nul-plain', document: { steps: nul } });
  expect(await limitsOf('nul-limited')).toEqual([[1, true]]);
  expect(await limitsOf('nul-plain')).toEqual([[1, false]]);
});

it("a finishing run's look for a held run answers for a version with a NUL escape (it failed on the json document)", async () => {
  // A run of each NUL workflow claimed and not yet committed: QUEUED, fence 1, leased.
  const inHand: Record<string, string> = {};
  for (const key of ['nul-limited', 'nul-plain']) {
    const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
    await sql`UPDATE runs SET fence = 1, lease_owner = 'test-worker', lease_expires_at = now() + interval '1 minute' WHERE id = ${runId}`.execute(
      t.db,
    );
    inHand[key] = runId;
  }
  const held = async (key: string) => {
    const workflow = await t.db
      .selectFrom('workflows')
      .select('id')
      .where('key', '=', key)
      .where('tenant_id', '=', ctx.tenantId)
      .executeTakeFirstOrThrow();
    return (await oldestHeldRun(workflow.id, null).execute(t.db)).rows.map((row) => row.id);
  };
  // Under limits a run being admitted may wait for the slot; without them it is in its first pass.
  expect(await held('nul-limited')).toEqual([inHand['nul-limited']]);
  expect(await held('nul-plain')).toEqual([]);
});
