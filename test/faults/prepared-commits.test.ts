import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it, onTestFailed } from 'vitest';
import { startRun } from '@/server/runtime/start-run';
import type { Db } from '@/server/db/database';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import {
  checkRunInvariants,
  killAllWorkers,
  killWorker,
  startWorker,
  until,
  untilAllTerminal,
  workerOutputs,
  type TWorkerProcess,
} from '@/test/faults/fault-harness';

/**
 * The run store's commit is a named (prepared) statement and, under a held lease, a HOT update
 * of `runs` (issue #16). These run real worker processes: the rows a run leaves are the same
 * with prepared statements off and on; a commit under the lease moves progressed_at, not the
 * indexed updated_at; and a migration that makes the prepared commit stale in the middle of a
 * run costs that run nothing (no failed pass, no call made twice).
 */

let t: TTestDatabase;
let receiver: TGatedReceiver | null = null;
beforeEach(async () => {
  t = await createTestDatabase('fault_prepared');
  process.env.DATABASE_URL = t.url; // startRun enqueues through pg-boss in this database
});
afterEach(async () => {
  await killAllWorkers();
  await receiver?.close();
  await t.close();
});

type TGatedReceiver = {
  url: string;
  perKey: Map<string, number>;
  /** From now on, holds the n-th delivery (1-based) and any after it until `open()`. */
  arm: (n: number) => void;
  /** Resolves when the n-th delivery since the last `arm` has arrived. */
  arrived: (n: number) => Promise<void>;
  /** Answers every held delivery and stops holding. */
  open: () => void;
  close: () => Promise<void>;
};

/** A loopback receiver that can hold a delivery until the test lets it go. */
async function startGatedReceiver(): Promise<TGatedReceiver> {
  const perKey = new Map<string, number>();
  let count = 0;
  let base = 0;
  let holdAt = Number.POSITIVE_INFINITY;
  const held: Array<() => void> = [];
  let waiters: Array<{ n: number; resolve: () => void }> = [];
  const server = http.createServer((request, response) => {
    const key = String(request.headers['idempotency-key'] ?? '');
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    const n = ++count;
    response.on('error', () => undefined);
    request.resume();
    const answer = () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ n }));
    };
    if (n - base >= holdAt) held.push(answer);
    else answer();
    for (const w of waiters.filter((w) => w.n <= n - base)) w.resolve();
    waiters = waiters.filter((w) => w.n > n - base);
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    perKey,
    arm: (n) => {
      base = count;
      holdAt = n;
    },
    arrived: (n) => new Promise<void>((resolve) => (count - base >= n ? resolve() : waiters.push({ n, resolve }))),
    open: () => {
      holdAt = Number.POSITIVE_INFINITY;
      for (const answer of held.splice(0)) answer();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const CALLS = 12;

/** Pure steps between durable ones, so commits carry batches of several step records. */
function mixedSteps(url: string) {
  return Array.from({ length: CALLS * 2 }, (_, i) =>
    i % 2 === 1
      ? {
          id: `call${i}`,
          type: 'action.call',
          config: { action: 'http.request', version: 1, input: { method: 'POST', url: `${url}/effect`, body: { i } } },
        }
      : { id: `add${i}`, type: 'transform.assign', config: { assign: { [`vars.n${i}`]: { $expr: `${i} * 2` } } } },
  );
}

/** What a run wrote, without ids and times: its step records, events and snapshots, and its ledger. */
async function writtenRows(db: Db, runId: string) {
  const steps = await db
    .selectFrom('run_steps')
    .select(['step_id', 'path', 'type', 'attempt', 'status', 'input', 'output', 'error'])
    .where('run_id', '=', runId)
    .orderBy('path')
    .orderBy('attempt')
    .execute();
  const events = await db
    .selectFrom('run_events')
    .select(['seq', 'type', 'step_id'])
    .where('run_id', '=', runId)
    .orderBy('seq')
    .execute();
  const snapshots = await db
    .selectFrom('run_steps')
    .select(['path', 'snapshot_truncated as truncated'])
    .where('run_id', '=', runId)
    .where('snapshot', 'is not', null)
    .orderBy('path')
    .orderBy('attempt')
    .execute();
  const ledger = await db
    .selectFrom('action_invocations')
    .select(['action', 'step_path'])
    .where('run_id', '=', runId)
    .orderBy('step_path')
    .execute();
  const run = await db
    .selectFrom('runs')
    .select(['status', 'output', 'error', 'event_seq', 'execution'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  // An http.request output holds the receiver's answer, which numbers its deliveries.
  const outputs = steps.map((s) => ({ ...s, output: s.type === 'action.call' ? 'answer' : s.output }));
  return { steps: outputs, events, snapshots, ledger, run: { ...run, execution: run.execution !== null } };
}

async function runsUpdates(db: Db): Promise<{ updates: number; hot: number }> {
  await sql`SELECT pg_stat_clear_snapshot()`.execute(db);
  const row = await sql<{ updates: string; hot: string }>`
    SELECT n_tup_upd::text AS updates, n_tup_hot_upd::text AS hot FROM pg_stat_user_tables WHERE relname = 'runs' AND schemaname = 'public'`.execute(
    db,
  );
  return { updates: Number(row.rows[0]!.updates), hot: Number(row.rows[0]!.hot) };
}

it('writes the same rows with prepared statements on and off; a commit under the lease moves progressed_at and is HOT', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  receiver = await startGatedReceiver();
  const steps = mixedSteps(receiver.url);
  await publishWorkflow({ db: t.db, ctx, key: 'mixed', document: { steps } });

  const written = [];
  for (const prepared of ['off', 'on']) {
    const worker = await startWorker({ url: t.url, env: { PIPEWRIGHT_PREPARED_STATEMENTS: prepared } });
    workers.push(worker);
    const before = await runsUpdates(t.db);
    receiver.arm(4);
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'mixed',
      input: {},
      trigger: { type: 'api' },
    });
    // The 4th call is held: three commits under the lease came after the one that set RUNNING.
    await receiver.arrived(4);
    const held = await t.db
      .selectFrom('runs')
      .select(['status', 'updated_at', 'progressed_at', 'lease_owner'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(held.status).toBe('RUNNING');
    expect(held.lease_owner).toBe(worker.id);
    expect(held.progressed_at!.getTime()).toBeGreaterThan(held.updated_at.getTime());
    receiver.open();
    await untilAllTerminal(t.db, [runId], 60_000);
    // The worker's backend reports its table statistics when it ends.
    await killWorker(worker);
    const after = await until(
      'the worker backend to report its statistics',
      async () => {
        const now = await runsUpdates(t.db);
        return now.updates - before.updates >= CALLS ? now : null;
      },
      { timeoutMs: 30_000, everyMs: 200 },
    );
    // Most updates of the run are commits under its lease, which touch no indexed column.
    expect((after.hot - before.hot) / (after.updates - before.updates)).toBeGreaterThan(0.5);
    written.push(await writtenRows(t.db, runId));
    expect(
      await checkRunInvariants(
        t.db,
        [runId],
        steps.map((_, i) => `steps[${i}]`),
      ),
    ).toEqual({
      badSteps: [],
      badSeqs: [],
    });
  }
  expect(written[0]!.run.status).toBe('SUCCEEDED');
  expect(written[1]).toEqual(written[0]);
}, 180_000);

it('a migration that makes the prepared commit stale mid-run: the run goes on, no pass fails, no call is made twice', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  receiver = await startGatedReceiver();
  receiver.arm(5);
  const steps = mixedSteps(receiver.url);
  await publishWorkflow({ db: t.db, ctx, key: 'stale', document: { steps } });
  workers.push(await startWorker({ url: t.url }));
  const runIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    runIds.push(
      (await startRun({ tenantId: ctx.tenantId, workflowKey: 'stale', input: {}, trigger: { type: 'api' } })).runId,
    );
  }
  await receiver.arrived(5);
  // What the commit statement returns (r.status) changes type: each worker connection's
  // prepared form now answers 0A000 "cached plan must not change result type".
  await sql`ALTER TABLE runs ALTER COLUMN status TYPE varchar(16)`.execute(t.db);
  receiver.open();
  await untilAllTerminal(t.db, runIds, 90_000);

  const runs = await t.db.selectFrom('runs').select(['status', 'recoveries']).where('id', 'in', runIds).execute();
  expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
  // A failed commit would have ended the pass: the run recovered later with WORKER_LOST attempts.
  const failed = await t.db
    .selectFrom('run_steps')
    .select(['path', 'error'])
    .where('run_id', 'in', runIds)
    .where('status', '<>', 'SUCCEEDED')
    .execute();
  expect(failed).toEqual([]);
  expect(
    await checkRunInvariants(
      t.db,
      runIds,
      steps.map((_, i) => `steps[${i}]`),
    ),
  ).toEqual({
    badSteps: [],
    badSeqs: [],
  });
  // Each call was made once: one delivery per key, a key per run and http step.
  expect(receiver.perKey.size).toBe(runIds.length * CALLS);
  expect([...receiver.perKey.values()].every((n) => n === 1)).toBe(true);
}, 180_000);
