import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import { isTerminal, RUN_STATUSES, STEP_STATUSES, type TRunStatus } from '@/model/run-status';
import { ZScriptAction } from '@/test/runtime-fixtures/fixture-format';
import { answerTask, deliverEvent } from '@/test/runtime-fixtures/resolve-waits';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

// Replay fixtures (Temporal's replay tests): a run suspended mid-way as some earlier version of
// the interpreter saved it, every row it owned included, so today's code can be made to resume
// it. `runs.execution` is read by every later version for as long as such a run can wait, so a
// change to its format must keep these passing.

/** The tables a suspended run owns rows in, parents before the rows that reference them. */
const RUN_TABLES = [
  'runs',
  'run_steps',
  'run_events',
  'run_waits',
  'tasks',
  'action_invocations',
  'run_block_results',
] as const;
type TRunTable = (typeof RUN_TABLES)[number];
const ZRow = z.record(z.unknown());
/** Where a table's rows are stored, when not under its name: `run_events` is a view of `run_event_rows`. */
const storedIn = (table: TRunTable): string => (table === 'run_events' ? 'run_event_rows' : table);
/** Tables added after the first fixtures were recorded: absent from those, which had no such rows. */
const LATER_TABLES: ReadonlySet<TRunTable> = new Set(['run_block_results']);

export const ZReplayFixture = z
  .object({
    description: z.string().min(1),
    /** The commit whose code saved `rows`, and the execution format version it wrote. */
    recordedWith: z.object({ commit: z.string().min(1), formatVersion: z.number().int().min(1) }),
    /** Key → version document (without key and name); the first is the run's workflow, the others its children's. */
    workflows: z.record(z.record(z.unknown())),
    /** Every row of the run (and its child runs) as saved, straight from `to_jsonb(row)`. */
    rows: z.object(
      Object.fromEntries(
        RUN_TABLES.map((table) => [table, LATER_TABLES.has(table) ? z.array(ZRow).default([]) : z.array(ZRow)]),
      ) as unknown as Record<TRunTable, z.ZodType<Array<Record<string, unknown>>, z.ZodTypeDef, unknown>>,
    ),
    /** What happens after the load, one at a time, the run driven after each. */
    script: z.array(ZScriptAction),
    expect: z
      .object({
        status: z.enum(RUN_STATUSES),
        output: z.unknown().optional(),
        /** Partial match. */
        error: z.record(z.unknown()).optional(),
        /** stepId → status → number of records. */
        stepCounts: z.record(z.record(z.enum(STEP_STATUSES), z.number().int().min(0))),
      })
      .strict(),
  })
  .strict();
export type TReplayFixture = z.infer<typeof ZReplayFixture>;

/** Reads every row a run (and its children) owns, as a fixture's `rows`. */
export async function dumpRunRows({ db, runId }: { db: Db; runId: string }): Promise<TReplayFixture['rows']> {
  const runIds = [runId];
  for (let at = 0; at < runIds.length; at++) {
    const children = await db
      .selectFrom('runs')
      .select('id')
      .where('parent_run_id', '=', runIds[at]!)
      .orderBy('created_at')
      .execute();
    runIds.push(...children.map((child) => child.id));
  }
  const rows = {} as TReplayFixture['rows'];
  for (const table of RUN_TABLES) {
    const key = table === 'runs' ? sql.ref('id') : sql.ref('run_id');
    const result = await sql<{
      row: Record<string, unknown>;
    }>`SELECT to_jsonb(t) AS row FROM ${sql.table(storedIn(table))} t WHERE ${key} = ANY(${runIds}::uuid[])`.execute(
      db,
    );
    // Parents first for runs (children reference them); otherwise any order will do.
    rows[table] = result.rows
      .map((r) => r.row)
      .sort((a, b) => runIds.indexOf(String(a.id ?? a.run_id)) - runIds.indexOf(String(b.id ?? b.run_id)));
  }
  return rows;
}

/**
 * Puts a fixture's run into a fresh tenant with its workflows published anew: the saved rows,
 * ids kept, tenant, workflow and version ids mapped to the new ones, no lease. Open timers are
 * made due now, since the time they were due at passed long ago or would make the test wait.
 */
export async function loadReplayFixture({
  db,
  fixture,
}: {
  db: Db;
  fixture: TReplayFixture;
}): Promise<{ runId: string; tenantId: string; email: string }> {
  const { ctx, tenantId, email } = await createTenantWithMember({ db, role: 'admin' });
  const keys = Object.keys(fixture.workflows);
  for (const key of [...keys].reverse())
    await publishWorkflow({
      db,
      ctx,
      key,
      document: fixture.workflows[key] as Parameters<typeof publishWorkflow>[0]['document'],
    });
  const versions = await db
    .selectFrom('workflow_versions')
    .innerJoin('workflows', 'workflows.id', 'workflow_versions.workflow_id')
    .select(['workflows.key', 'workflows.id as workflowId', 'workflow_versions.id as versionId'])
    .where('workflows.tenant_id', '=', tenantId)
    .execute();
  const byKey = new Map(versions.map((v) => [v.key, v]));
  for (const table of RUN_TABLES) {
    for (const saved of fixture.rows[table]) {
      const row: Record<string, unknown> = { ...saved, tenant_id: tenantId };
      if (table === 'runs') {
        const version = byKey.get(String(row.workflow_key));
        if (!version)
          throw new Error(
            `replay fixture: run of workflow "${String(row.workflow_key)}", which the fixture does not define`,
          );
        Object.assign(row, {
          workflow_id: version.workflowId,
          version_id: version.versionId,
          lease_owner: null,
          lease_expires_at: null,
        });
      }
      // Only the columns the recording has: a column added since (runs.is_test) takes its default.
      const columns = sql.join(Object.keys(row).map((column) => sql.ref(column)));
      const stored = sql.table(storedIn(table));
      await sql`INSERT INTO ${stored} (${columns}) SELECT ${columns} FROM jsonb_populate_record(NULL::${stored}, ${JSON.stringify(row)}::jsonb)`.execute(
        db,
      );
    }
  }
  await db
    .updateTable('run_waits')
    .set({ resume_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'open')
    .where('kind', 'in', ['timer', 'retry'])
    .execute();
  return { runId: String(fixture.rows.runs[0]!.id), tenantId, email };
}

/** Drives a run and the child runs it waits on until it is terminal or waits on the outside world. */
export async function settleRun({ db, runId }: { db: Db; runId: string }): Promise<TRunStatus> {
  for (let round = 0; round < 20; round++) {
    const status = await driveRun({ db, runId });
    if (status !== 'WAITING') return status;
    const children = await db.selectFrom('runs').select(['id', 'status']).where('parent_run_id', '=', runId).execute();
    let finished = 0;
    for (const child of children.filter((c) => !isTerminal(c.status)))
      if (isTerminal(await settleRun({ db, runId: child.id }))) finished += 1;
    if (finished === 0) return status;
  }
  throw new Error(`run ${runId} kept waiting on its children`);
}

/** Applies script actions (deliver an event, answer a task), settling the run after each. */
export async function playScript({
  db,
  runId,
  tenantId,
  email,
  script,
}: {
  db: Db;
  runId: string;
  tenantId: string;
  email: string;
  script: TReplayFixture['script'];
}): Promise<TRunStatus> {
  let status = await settleRun({ db, runId });
  for (const action of script) {
    if (status !== 'WAITING') throw new Error(`the script has more to do, but the run is ${status}`);
    if ('deliver' in action) await deliverEvent({ db, tenantId, event: action.deliver });
    else await answerTask({ db, tenantId, completedBy: email, answer: action.answer });
    status = await settleRun({ db, runId });
  }
  return status;
}
