import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '@/server/db/schema';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { commitStatement, type TBatch } from '@/server/runtime/run-store/commit-statement';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

/**
 * A durable step's commit finishes the previous step's record (an update of one run_steps row
 * by its id). It used to find that row by the run's index (`run_steps_run_idx`), reading every
 * record of the run on every commit and hash-joining them with the one it updates: O(steps) per
 * commit, O(steps²) per run, whenever the planner thought a run has few records (fresh
 * statistics, or none).
 */
const RECORDS = 2_000;
let t: TTestDatabase;
let ctx: TAuthContext;
let runId: string;
let lastRecord: string;

beforeAll(async () => {
  t = await createTestDatabase('commit_statement');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'long',
    document: { steps: [{ id: 'hear', type: 'event.wait', config: { event: 'never.sent' } }] },
  });
  runId = (await startRun({ tenantId: ctx.tenantId, workflowKey: 'long', input: {}, trigger: { type: 'api' } })).runId;
  await sql`UPDATE runs SET status = 'RUNNING', lease_owner = 'test-worker', fence = 1 WHERE id = ${runId}`.execute(
    t.db,
  );
  // A long run's records so far, every one SUCCEEDED but the last, still RUNNING (its call out).
  const rows = await sql<{ id: string }>`
    INSERT INTO run_steps (run_id, tenant_id, step_id, path, type, attempt, status, started_at, completed_at, duration_ms)
    SELECT ${runId}, ${ctx.tenantId}, 'call' || g, 'call' || g, 'action.call', 1,
           CASE WHEN g = ${RECORDS} THEN 'RUNNING' ELSE 'SUCCEEDED' END,
           now() - make_interval(secs => ${RECORDS} - g), CASE WHEN g = ${RECORDS} THEN NULL ELSE now() END, 1
      FROM generate_series(1, ${RECORDS}) g
    RETURNING id, path`.execute(t.db);
  lastRecord = rows.rows.at(-1)!.id;
  // Other runs' records: 500 runs of 40 steps.
  await sql`
    INSERT INTO run_steps (run_id, tenant_id, step_id, path, type, attempt, status, started_at, completed_at, duration_ms)
    SELECT md5('other-' || (g / 40))::uuid, ${ctx.tenantId}, 'call' || (g % 40), 'call' || (g % 40), 'action.call', 1,
           'SUCCEEDED', now(), now(), 1
      FROM generate_series(0, 19999) g`.execute(t.db);
});
afterAll(async () => {
  await t.close();
});

/** The commit before step RECORDS + 1's call: the previous record's result, this step's RUNNING record, events, snapshot, ledger row. */
function durableStepBatch(extraUpdates: string[] = []): TBatch {
  const now = new Date();
  const next = `call${RECORDS + 1}`;
  return {
    run: { id: runId, tenantId: ctx.tenantId, fence: '1' },
    execution: JSON.stringify({
      formatVersion: 3,
      scope: { vars: {}, error: null },
      cursor: { index: 1 },
      attempts: {},
    }),
    inserts: [
      {
        id: randomUUID(),
        stepId: next,
        path: next,
        type: 'action.call',
        attempt: 1,
        status: 'RUNNING',
        input: null,
        output: null,
        error: null,
        startedAt: now,
        completedAt: null,
      },
    ],
    updates: [lastRecord, ...extraUpdates].map((id) => [
      id,
      { status: 'SUCCEEDED', output: { status: 200 }, input: { url: 'x' }, completedAt: now },
    ]),
    events: [
      { type: 'step.succeeded', stepId: `call${RECORDS}`, data: { path: `call${RECORDS}`, attempt: 1 }, at: now },
      { type: 'step.started', stepId: next, data: { path: next, attempt: 1 }, at: now },
    ],
    snapshots: [{ stepRecordId: lastRecord, json: '{}', truncated: false, sizeBytes: 2 }],
    invocations: [],
    blockResults: [],
    endedBlocks: [],
    artifacts: [],
    patch: {},
    extras: [],
    releasing: false,
    admitNextOf: null,
    eventLocks: [],
  };
}

type TPlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: TPlanNode[] };

/** Every scan of run_steps the plan makes, as "<node type> <index>". */
function runStepsScans(node: TPlanNode): string[] {
  const own =
    node['Relation Name'] === 'run_steps' && node['Node Type'] !== 'ModifyTable'
      ? [`${node['Node Type']} ${node['Index Name'] ?? ''}`.trim()]
      : /Index/.test(node['Node Type']) && node['Index Name']?.startsWith('run_steps')
        ? [`${node['Node Type']} ${node['Index Name']}`]
        : [];
  return [...own, ...(node.Plans ?? []).flatMap(runStepsScans)];
}

/** EXECUTE takes its arguments as expressions, not bind parameters: quoted literals. */
function literals(parameters: readonly unknown[]): string {
  const text = (value: unknown) =>
    value instanceof Date ? value.toISOString() : Array.isArray(value) ? `{${value.join(',')}}` : String(value);
  return parameters.map((value) => (value === null ? 'NULL' : `'${text(value).replace(/'/g, "''")}'`)).join(', ');
}

/**
 * The commit of a durable step finishing `extraUpdates` too, prepared as `commit` on one
 * connection for `explain` (which gets EXECUTE's argument list), deallocated after.
 */
async function withPreparedCommit<T>(
  extraUpdates: string[],
  explain: (c: Kysely<Database>, args: string) => Promise<T>,
): Promise<T> {
  const options = { releaseInline: false, notify: true, admitJobs: null };
  const compiled = commitStatement(durableStepBatch(extraUpdates), options);
  return t.db.connection().execute(async (c) => {
    await sql.raw(`PREPARE commit AS ${compiled.sql}`).execute(c);
    try {
      return await explain(c, literals(compiled.parameters));
    } finally {
      await sql.raw('DEALLOCATE commit').execute(c);
    }
  });
}

/** Two more records of the run, to finish in the same commit (concurrent lanes' steps). */
async function othersOfRun(): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    SELECT id FROM run_steps WHERE run_id = ${runId} ORDER BY started_at LIMIT 2`.execute(t.db);
  return rows.rows.map((r) => r.id);
}

it('finds the records a commit finishes by their ids, not among the run’s records (custom and generic plans, with and without statistics)', async () => {
  const others = await othersOfRun();
  for (const analyzed of [false, true]) {
    if (analyzed) await sql`ANALYZE run_steps`.execute(t.db);
    // One record (a durable step's commit), and several (concurrent lanes' steps in one batch).
    for (const extraUpdates of [[], others])
      for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) {
        const scans = await withPreparedCommit(extraUpdates, async (c, args) => {
          await sql.raw(`SET plan_cache_mode = ${mode}`).execute(c);
          const explained = await sql<{ 'QUERY PLAN': Array<{ Plan: TPlanNode }> }>`
            EXPLAIN (FORMAT JSON) EXECUTE commit(${sql.raw(args)})`.execute(c);
          await sql`RESET plan_cache_mode`.execute(c);
          return runStepsScans(explained.rows[0]!['QUERY PLAN'][0]!.Plan);
        });
        const indexes = scans.filter((scan) => scan !== 'Bitmap Heap Scan');
        const updates = 1 + extraUpdates.length;
        expect({ analyzed, updates, mode, indexes }).toEqual({
          analyzed,
          updates,
          mode,
          indexes: [expect.stringMatching(/^(Bitmap )?Index Scan run_steps_pkey$/)],
        });
      }
  }
});

it('lets PostgreSQL keep a generic plan of the prepared commit instead of planning it on every execution', async () => {
  for (const extraUpdates of [[], await othersOfRun()]) {
    const plans = await withPreparedCommit(extraUpdates, async (c, args) => {
      // PostgreSQL plans a prepared statement five times for its parameters, then keeps a
      // generic plan unless that one's estimated cost is higher than theirs (plan_cache_mode auto).
      for (let i = 0; i < 8; i++) await sql.raw(`EXPLAIN EXECUTE commit(${args})`).execute(c);
      const counted = await sql<{ generic: string; custom: string }>`
        SELECT generic_plans::text AS generic, custom_plans::text AS custom
          FROM pg_prepared_statements WHERE name = 'commit'`.execute(c);
      return counted.rows[0]!;
    });
    expect(plans).toEqual({ generic: '3', custom: '5' });
  }
});

// The commit's text is compiled once per shape of batch and its parameters read from each batch
// (batch-parameter.ts); what PostgreSQL does with the text is what the tests above check.

const options = { releaseInline: false, notify: true, admitJobs: null };

/** A durable step's batch of another run: its own ids, fence, execution, output and snapshot. */
function otherRunBatch(fence = '7'): TBatch {
  const batch = durableStepBatch();
  const finished = randomUUID();
  return {
    ...batch,
    run: { id: randomUUID(), tenantId: randomUUID(), fence },
    execution: JSON.stringify({ cursor: { index: Math.random() } }),
    inserts: batch.inserts.map((record) => ({ ...record, id: randomUUID(), input: { url: randomUUID() } })),
    updates: [[finished, { status: 'SUCCEEDED', output: { body: randomUUID() }, completedAt: new Date() }]],
    snapshots: [{ stepRecordId: finished, json: `{"vars":{"v":"${randomUUID()}"}}`, truncated: false, sizeBytes: 50 }],
    invocations: [{ action: 'http.request', version: 1, idempotencyKey: randomUUID(), stepPath: 'p', output: null }],
  };
}

it('sends each batch its own values under the text of its shape, compiled once', () => {
  const first = otherRunBatch('11');
  const second = otherRunBatch('12');
  const a = commitStatement(first, options);
  const b = commitStatement(second, options);
  expect(b.sql).toBe(a.sql);
  expect(b.parameters).toHaveLength(a.parameters.length);
  const text = (parameters: readonly unknown[]) => JSON.stringify(parameters);
  expect(b.parameters).toContain('12');
  expect(a.parameters).not.toContain('12');
  for (const value of [second.run.id, second.execution, second.snapshots[0]!.json]) {
    expect(text(b.parameters)).toContain(JSON.stringify(value).slice(1, -1));
    expect(text(a.parameters)).not.toContain(JSON.stringify(value).slice(1, -1));
  }
  expect(text(b.parameters)).toContain(second.updates[0]![0]);
  expect(text(b.parameters)).toContain(second.invocations[0]!.idempotencyKey);
});

it('gives another text to another shape: a finish, a release, one more record finished', () => {
  const base = commitStatement(otherRunBatch(), options).sql;
  const finishing = { ...otherRunBatch(), patch: { status: 'SUCCEEDED' as const, output: { ok: true } } };
  const released = { ...otherRunBatch(), releasing: true };
  const twoUpdates = otherRunBatch();
  twoUpdates.updates.push([randomUUID(), { status: 'FAILED', error: { code: 'X' } }]);
  const texts = [
    base,
    commitStatement(finishing, options).sql,
    commitStatement(finishing, { ...options, releaseInline: true }).sql,
    commitStatement(released, { ...options, releaseInline: true }).sql,
    commitStatement(twoUpdates, options).sql,
  ];
  expect(new Set(texts).size).toBe(texts.length);
  expect(commitStatement(finishing, { ...options, releaseInline: true }).parameters).toContain('SUCCEEDED');
});

it('still refuses, for a shape already compiled, a snapshot whose record is not in the batch', () => {
  commitStatement(otherRunBatch(), options);
  const orphan = otherRunBatch();
  orphan.snapshots = [{ stepRecordId: randomUUID(), json: '{}', truncated: false, sizeBytes: 2 }];
  expect(() => commitStatement(orphan, options)).toThrow(/without its record in the batch/);
});
