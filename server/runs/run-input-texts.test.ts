import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { deleteRun } from '@/server/runs/delete-run';
import { listRuns, type TListRuns } from '@/server/runs/list-runs';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import { MIGRATIONS } from '@/migrations';

/**
 * A run's input text is indexed once, in `run_input_texts`, when the run is inserted (migration
 * 20270103000000): the runs list's text search finds it from the start to the run's deletion,
 * and the run's later writes (claim, commits, lease renewals, status changes) leave that row,
 * and so its trigram index, untouched.
 */

let t: TTestDatabase;

const DOCUMENT = {
  steps: [
    { id: 'echo', type: 'action.call', config: { action: 'core.echo', version: 1, input: { n: 1 } } },
    { id: 'mark', type: 'state.set', config: { state: 'shipped' } },
  ],
};

async function tenant(): Promise<TAuthContext> {
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'admin' });
  await publishWorkflow({ db: t.db, ctx, key: 'orders', document: DOCUMENT as never });
  return ctx;
}

async function start(ctx: TAuthContext, input: unknown): Promise<string> {
  return (await startRun({ tenantId: ctx.tenantId, workflowKey: 'orders', input, trigger: { type: 'api' } })).runId;
}

/** The ids a search finds through the input text index (no peek in list order first). */
async function found(ctx: TAuthContext, input: TListRuns): Promise<string[]> {
  const page = await listRuns({ db: t.db, ctx, input, textPeek: 0 });
  return page.items.map((item) => item.id);
}

/** The text row's version: an UPDATE of the row (and so a write of its index entries) changes it. */
async function textRow(runId: string) {
  return (
    await sql<{ version: string; input_text: string }>`
      SELECT xmin::text || ctid::text AS version, input_text FROM run_input_texts WHERE run_id = ${runId}`.execute(t.db)
  ).rows[0];
}

beforeAll(async () => {
  t = await createTestDatabase('run_input_texts');
  process.env.DATABASE_URL = t.url;
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

describe("a run's input text", () => {
  it('is searchable from the start, is not written again by the run, and goes with the run', async () => {
    const ctx = await tenant();
    const other = await tenant();
    const input = { customer: 'Zebra-Quokka Ltd', note: 'x'.repeat(2000) };
    const runId = await start(ctx, input);
    await start(other, input);
    const written = await textRow(runId);
    expect(written?.input_text).toContain('zebra-quokka ltd');
    expect(await found(ctx, { q: 'zebra-QUOKKA' })).toEqual([runId]);
    expect(await found(ctx, { q: runId })).toEqual([runId]);

    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    // A lease renewal's write, as LeaseKeeper makes it, and an operator's state change.
    await sql`UPDATE runs SET lease_expires_at = now() + interval '30 seconds' WHERE id = ${runId}`.execute(t.db);
    await sql`UPDATE runs SET state = 'delivered' WHERE id = ${runId}`.execute(t.db);
    expect(await textRow(runId)).toEqual(written);
    expect(await found(ctx, { q: 'quokka', status: 'SUCCEEDED', state: 'delivered', workflow: 'orders' })).toEqual([
      runId,
    ]);
    expect(await found(ctx, { q: 'quokka', status: 'FAILED' })).toEqual([]);
    expect(await found(ctx, { q: 'quokka', workflow: 'another' })).toEqual([]);

    // No index on runs holds the input any more: the text index is written once, with the text's row.
    const runsIndexes = await sql<{ indexdef: string }>`
      SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'runs' AND indexdef LIKE '%input%'`.execute(
      t.db,
    );
    expect(runsIndexes.rows).toEqual([]);

    await deleteRun({ db: t.db, ctx, input: { id: runId } });
    expect(await textRow(runId)).toBeUndefined();
    expect(await found(ctx, { q: 'quokka' })).toEqual([]);
    expect(await found(other, { q: 'quokka' })).toHaveLength(1);
  });

  it("follows the run's input if SQL by hand changes it", async () => {
    const ctx = await tenant();
    const runId = await start(ctx, { customer: 'Aardvark' });
    await sql`UPDATE runs SET input = '{"customer": "Okapi"}' WHERE id = ${runId}`.execute(t.db);
    expect(await found(ctx, { q: 'okapi' })).toEqual([runId]);
    expect(await found(ctx, { q: 'aardvark' })).toEqual([]);
  });
});

describe('the migration', () => {
  it("goes down (the input's index back on runs) and up again, copying the runs already there", async () => {
    const migration = MIGRATIONS['20270103000000_run_input_texts']!;
    const ctx = await tenant();
    const runId = await start(ctx, { customer: 'Pangolin' });
    const indexes = async () =>
      (
        await sql<{ name: string }>`
          SELECT indexname AS name FROM pg_indexes
           WHERE schemaname = 'public' AND indexname IN ('runs_tenant_filters_text_idx', 'run_input_texts_text_idx')
           ORDER BY 1`.execute(t.db)
      ).rows.map((row) => row.name);
    expect(await indexes()).toEqual(['run_input_texts_text_idx']);
    await migration.down!(t.db);
    expect(await indexes()).toEqual(['runs_tenant_filters_text_idx']);
    const during = await start(ctx, { customer: 'Pangolin Two' });
    await migration.up(t.db);
    expect(await indexes()).toEqual(['run_input_texts_text_idx']);
    expect((await found(ctx, { q: 'pangolin' })).sort()).toEqual([runId, during].sort());
  });
});
