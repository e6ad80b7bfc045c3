import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { deleteRun } from '@/server/runs/delete-run';
import { deleteWorkflow } from '@/server/workflows/delete-workflow';
import { purgeExpiredRuns } from '@/server/retention/purge-expired-runs';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import { MIGRATIONS } from '@/migrations';
import { recordsWithSnapshot, storeSnapshotsAsBefore } from '@/test/snapshots-as-before';

/**
 * A run's history tables have no foreign keys to `runs` (migration 20261229000000): whatever
 * deletes runs must delete their rows too. Every table of the schema with a `run_id` column is
 * checked, so a table added later without its delete fails here.
 */

let t: TTestDatabase;

const DOCUMENTS = {
  // Step records, events, snapshots, a ledger row under the default key and one under an explicit key.
  plain: {
    steps: [
      { id: 'echo', type: 'action.call', config: { action: 'core.echo', version: 1, input: { n: 1 } } },
      {
        id: 'keyed',
        type: 'action.call',
        config: {
          action: 'core.echo',
          version: 1,
          input: { n: 2 },
          idempotencyKey: { $expr: "'explicit-' & meta.runId" },
        },
      },
    ],
  },
  // Waits inside a forEach whose first iteration ended: forEach results and an open wait.
  waits: {
    steps: [
      {
        id: 'each',
        type: 'control.forEach',
        config: {
          items: [1, 2],
          collect: { $expr: '$item' },
          steps: [
            {
              id: 'second',
              type: 'control.if',
              config: {
                condition: { $expr: '$item = 2' },
                then: [{ id: 'hold', type: 'event.wait', config: { event: 'never' } }],
                else: [{ id: 'echo', type: 'action.call', config: { action: 'core.echo', version: 1, input: {} } }],
              },
            },
          ],
        },
      },
    ],
  },
  // A child run (control.callWorkflow) of `plain`.
  parent: { steps: [{ id: 'child', type: 'control.callWorkflow', config: { workflow: 'plain', input: {} } }] },
} as const;

async function tenantWithWorkflows(): Promise<TAuthContext> {
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'admin' });
  for (const [key, document] of Object.entries(DOCUMENTS))
    await publishWorkflow({ db: t.db, ctx, key, document: document as never });
  return ctx;
}

async function runOf(ctx: TAuthContext, key: keyof typeof DOCUMENTS): Promise<string[]> {
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
  await driveRun({ db: t.db, runId });
  const children = await t.db.selectFrom('runs').select('id').where('parent_run_id', '=', runId).execute();
  for (const child of children) await driveRun({ db: t.db, runId: child.id });
  if (children.length) await driveRun({ db: t.db, runId });
  const runIds = [runId, ...children.map((c) => c.id)];
  // Snapshots of both kinds: in their records, and the first as records stored before
  // migration 20270104000000 keep theirs (a run_snapshots row).
  for (const id of runIds) {
    const [first] = await recordsWithSnapshot(t.db, id);
    if (first) expect(await storeSnapshotsAsBefore(t.db, id, [first])).toBe(1);
  }
  return runIds;
}

/** Every table of the app's schema with a run_id column. */
async function runIdTables(): Promise<string[]> {
  const rows = await sql<{ table_name: string }>`
    SELECT c.table_name FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = 'public' AND c.column_name = 'run_id' AND t.table_type = 'BASE TABLE'
     ORDER BY c.table_name`.execute(t.db);
  return rows.rows.map((row) => row.table_name);
}

/** Rows per table naming these runs; ledger rows under an explicit key only when `explicitLedger`. */
async function rowsOf(runIds: readonly string[], { explicitLedger }: { explicitLedger: boolean }) {
  const counts: Record<string, number> = {};
  for (const table of await runIdTables()) {
    const explicit =
      table === 'action_invocations' && !explicitLedger
        ? sql`AND starts_with(idempotency_key, run_id::text || ':')`
        : sql``;
    const row = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE run_id = ANY(${runIds}::uuid[]) ${explicit}`.execute(
      t.db,
    );
    counts[table] = row.rows[0]!.n;
  }
  counts.runs = (
    await sql<{ n: number }>`SELECT count(*)::int AS n FROM runs WHERE id = ANY(${runIds}::uuid[])`.execute(t.db)
  ).rows[0]!.n;
  return counts;
}

const nonEmpty = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

beforeAll(async () => {
  t = await createTestDatabase('history_deletion');
  process.env.DATABASE_URL = t.url;
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

describe('deleting runs deletes their history, and only theirs', () => {
  it('the schema has no foreign key from a history table to runs, and the tables checked include them', async () => {
    const keys = await sql<{ child: string; parent: string }>`
      SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint
       WHERE contype = 'f' AND conrelid::regclass::text IN ('run_steps', 'run_events', 'run_event_rows', 'run_snapshots', 'run_block_results', 'action_invocations')`.execute(
      t.db,
    );
    expect(keys.rows).toEqual([]);
    expect(await runIdTables()).toEqual(
      expect.arrayContaining([
        'run_steps',
        'run_event_rows',
        'run_snapshots',
        'run_block_results',
        'run_waits',
        'tasks',
      ]),
    );
  });

  it('deleteRun (a run with its child) and retention leave nothing of the deleted runs; other runs keep theirs', async () => {
    const ctx = await tenantWithWorkflows();
    const tree = await runOf(ctx, 'parent');
    const expired = await runOf(ctx, 'plain');
    const kept = [...(await runOf(ctx, 'plain')), ...(await runOf(ctx, 'waits'))];
    expect(tree).toHaveLength(2);
    const keptBefore = await rowsOf(kept, { explicitLedger: true });
    expect(keptBefore).toMatchObject({ run_block_results: 1, run_waits: 1 });
    for (const table of ['run_steps', 'run_event_rows', 'run_snapshots', 'action_invocations'])
      expect(keptBefore[table]).toBeGreaterThan(0);
    const treeBefore = await rowsOf(tree, { explicitLedger: false });
    expect(treeBefore.run_steps).toBeGreaterThan(0);
    expect(treeBefore.action_invocations).toBeGreaterThan(0);

    expect(await deleteRun({ db: t.db, ctx, input: { id: tree[0]! } })).toEqual({ runId: tree[0], deleted: 2 });
    expect(nonEmpty(await rowsOf(tree, { explicitLedger: false }))).toEqual({});
    // Ledger rows under an explicit key outlive the run on purpose (deleteRunTrees).
    expect((await rowsOf(tree, { explicitLedger: true })).action_invocations).toBe(1);

    await sql`UPDATE runs SET completed_at = now() - interval '40 days' WHERE id = ${expired[0]!}`.execute(t.db);
    expect((await purgeExpiredRuns({ db: t.db })).deleted).toBe(1);
    expect(nonEmpty(await rowsOf(expired, { explicitLedger: false }))).toEqual({});
    expect(await rowsOf(kept, { explicitLedger: true })).toEqual(keptBefore);
  });

  it("a workflow's deletion takes its runs' history, a run still waiting included; other workflows' runs stay", async () => {
    const ctx = await tenantWithWorkflows();
    const waiting = await runOf(ctx, 'waits');
    const kept = await runOf(ctx, 'plain');
    expect(
      (await t.db.selectFrom('runs').select('status').where('id', '=', waiting[0]!).executeTakeFirstOrThrow()).status,
    ).toBe('WAITING');
    expect(await rowsOf(waiting, { explicitLedger: false })).toMatchObject({ run_block_results: 1, run_waits: 1 });
    const keptBefore = await rowsOf(kept, { explicitLedger: true });

    await deleteWorkflow({ db: t.db, ctx, input: { key: 'waits' } });
    expect(nonEmpty(await rowsOf(waiting, { explicitLedger: true }))).toEqual({});
    expect(await rowsOf(kept, { explicitLedger: true })).toEqual(keptBefore);
  });

  it("a tenant's deletion takes its runs' history and its whole ledger; another tenant keeps its own", async () => {
    const gone = await tenantWithWorkflows();
    const other = await tenantWithWorkflows();
    const goneRuns = [...(await runOf(gone, 'plain')), ...(await runOf(gone, 'waits'))];
    const otherRuns = [...(await runOf(other, 'plain')), ...(await runOf(other, 'waits'))];
    const otherBefore = await rowsOf(otherRuns, { explicitLedger: true });
    const ledgerOf = async (tenantId: string) =>
      (
        await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM action_invocations WHERE tenant_id = ${tenantId}`.execute(t.db)
      ).rows[0]!.n;
    expect(await ledgerOf(gone.tenantId)).toBeGreaterThan(0);

    await sql`DELETE FROM tenants WHERE id = ${gone.tenantId}`.execute(t.db);
    expect(nonEmpty(await rowsOf(goneRuns, { explicitLedger: true }))).toEqual({});
    expect(await ledgerOf(gone.tenantId)).toBe(0);
    expect(await rowsOf(otherRuns, { explicitLedger: true })).toEqual(otherBefore);
    expect(await ledgerOf(other.tenantId)).toBeGreaterThan(0);
  });

  it('runs deleted by hand, several in one statement, take their history with them', async () => {
    const ctx = await tenantWithWorkflows();
    const deleted = [...(await runOf(ctx, 'plain')), ...(await runOf(ctx, 'waits'))];
    const kept = await runOf(ctx, 'waits');
    const keptBefore = await rowsOf(kept, { explicitLedger: true });
    await sql`DELETE FROM runs WHERE id = ANY(${deleted}::uuid[])`.execute(t.db);
    expect(nonEmpty(await rowsOf(deleted, { explicitLedger: false }))).toEqual({});
    expect(await rowsOf(kept, { explicitLedger: true })).toEqual(keptBefore);
  });
});

describe('the migration', () => {
  it('goes down (the keys back, no trigger) and up again, as bench 7d alternates it', async () => {
    const migration = MIGRATIONS['20261229000000_history_without_foreign_keys']!;
    const keys = async () =>
      (
        await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_constraint
           WHERE contype = 'f' AND conrelid::regclass::text IN ('run_steps', 'run_events', 'run_event_rows', 'run_snapshots', 'run_block_results', 'action_invocations')`.execute(
          t.db,
        )
      ).rows[0]!.n;
    const triggers = async () =>
      (
        await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_trigger WHERE tgname IN ('runs_delete_history', 'tenants_delete_ledger')`.execute(
          t.db,
        )
      ).rows[0]!.n;
    // A history row without its run (as only SQL by hand could leave) does not stop the way down.
    await sql`INSERT INTO run_event_rows (run_id, seq, tenant_id, type, data) SELECT gen_random_uuid(), 1, id, 'run.queued', '{}' FROM tenants LIMIT 1`.execute(
      t.db,
    );
    // The event rows' own migration first: it renamed the table this one put a key on.
    const eventRows = MIGRATIONS['20270105000000_run_event_batches']!;
    await eventRows.down!(t.db);
    await migration.down!(t.db);
    expect([await keys(), await triggers()]).toEqual([6, 0]);
    await migration.up(t.db);
    await eventRows.up(t.db);
    expect([await keys(), await triggers()]).toEqual([0, 2]);
  });
});
