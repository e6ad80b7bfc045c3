import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, expect, it, onTestFailed } from 'vitest';
import { createDb, setDb, type Db } from '@/server/db/database';
import { startEmbeddedPostgres, type TEmbeddedDatabase } from '@/server/db/embedded';
import { migrateToLatest } from '@/server/db/migrate';
import { startRun } from '@/server/runtime/start-run';
import { isProcessAlive } from '@/server/system/is-process-alive';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import {
  checkRunInvariants,
  killAllWorkers,
  startWorker,
  until,
  untilAllTerminal,
  workerOutputs,
  type TWorkerProcess,
} from '@/test/faults/fault-harness';

// A cluster of its own: restarting the shared test cluster would break every other test file.
let dir: string;
let database: TEmbeddedDatabase | null = null;
let db: Db | null = null;
const PASSWORD = 'restart-test-password';
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pipewright-pg-restart-'));
  chmodSync(dir, 0o755); // postgres runs as the postgres user when the tests run as root
  database = await startEmbeddedPostgres({ databaseDir: path.join(dir, 'pg'), password: PASSWORD });
  process.env.DATABASE_URL = database.url;
  db = createDb(database.url, { max: 5 }).db;
  await migrateToLatest({ db });
  setDb(db);
}, 120_000);
afterEach(async () => {
  await killAllWorkers();
  await db?.destroy();
  await database?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const RUNS = 10;

it('PostgreSQL stopped and started while runs wait and work: the worker survives and every run finishes correctly', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const t = { db: db!, url: database!.url };
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  const steps = [
    { id: 'a', type: 'transform.assign', config: { assign: { 'vars.a': 1 } } },
    { id: 'nap1', type: 'time.delay', config: { durationMs: 1500 } },
    { id: 'b', type: 'action.call', config: { action: 'core.echo', version: 1, input: { b: 2 } } },
    { id: 'nap2', type: 'time.delay', config: { durationMs: 1500 } },
    { id: 'c', type: 'transform.assign', config: { assign: { 'vars.c': 3 } } },
  ];
  await publishWorkflow({ db: t.db, ctx, key: 'napper', document: { steps } });
  const worker = await startWorker({ url: t.url });
  workers.push(worker);
  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++)
    runIds.push(
      (await startRun({ tenantId: ctx.tenantId, workflowKey: 'napper', input: {}, trigger: { type: 'api' } })).runId,
    );
  await until(
    'every run to be waiting on its first delay',
    async () => {
      const waiting = await t.db
        .selectFrom('runs')
        .select('id')
        .where('id', 'in', runIds)
        .where('status', '=', 'WAITING')
        .execute();
      return waiting.length === RUNS;
    },
    { timeoutMs: 30_000 },
  );

  // Down across the moment the timers come due; up again on the same port, as a restart is.
  const port = database!.port;
  await database!.stop();
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // the outage itself: nothing to await
  database = await startEmbeddedPostgres({ databaseDir: path.join(dir, 'pg'), password: PASSWORD, port });
  expect(database.port).toBe(port);

  await untilAllTerminal(t.db, runIds, 60_000);
  expect(worker.child.exitCode).toBeNull(); // it survived the outage; no new worker was needed
  const notSucceeded = await t.db
    .selectFrom('runs')
    .select(['id', 'status', 'error'])
    .where('id', 'in', runIds)
    .where('status', '!=', 'SUCCEEDED')
    .execute();
  expect(notSucceeded).toEqual([]);
  expect(
    await checkRunInvariants(
      t.db,
      runIds,
      steps.map((_, i) => `steps[${i}]`),
    ),
  ).toEqual({ badSteps: [], badSeqs: [] });
  const complaints = worker
    .output()
    .split('\n')
    .filter((line) => /failed|error/i.test(line)).length;
  console.log(
    `postgres restart: ${RUNS} runs finished after a ~2 s outage; the worker logged ${complaints} connection errors and carried on`,
  );
}, 120_000);

/**
 * What a restart does to the worker: PostgreSQL's fast shutdown (SIGINT to the postmaster)
 * terminates every backend. `database.stop()` does the same, but through the handle that
 * started the server; this goes by postmaster.pid, as an operator's `pg_ctl stop -m fast` or a
 * service manager would.
 */
async function fastShutdownByPidFile(dataDir: string): Promise<void> {
  const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(pid, 'SIGINT');
  await until('the postmaster to exit', () => !isProcessAlive(pid), { timeoutMs: 30_000, everyMs: 50 });
}

it('PostgreSQL fast-shut-down while the worker has statements in flight: the worker survives and every run finishes correctly', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const t = { db: db!, url: database!.url };
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  const steps = [
    { id: 'a', type: 'transform.assign', config: { assign: { 'vars.a': 1 } } },
    { id: 'nap', type: 'time.delay', config: { durationMs: 500 } },
    { id: 'b', type: 'transform.assign', config: { assign: { 'vars.b': 2 } } },
    { id: 'c', type: 'action.call', config: { action: 'core.echo', version: 1, input: { c: 3 } } },
    { id: 'd', type: 'transform.assign', config: { assign: { 'vars.d': 4 } } },
  ];
  await publishWorkflow({ db: t.db, ctx, key: 'busy', document: { steps } });
  const worker = await startWorker({ url: t.url });
  workers.push(worker);
  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++)
    runIds.push(
      (await startRun({ tenantId: ctx.tenantId, workflowKey: 'busy', input: {}, trigger: { type: 'api' } })).runId,
    );
  await until(
    'every run to be waiting on its delay',
    async () => {
      const waiting = await t.db
        .selectFrom('runs')
        .select('id')
        .where('id', 'in', runIds)
        .where('status', '=', 'WAITING')
        .execute();
      return waiting.length === RUNS;
    },
    { timeoutMs: 30_000 },
  );

  // Held at the moment of the shutdown: with run_event_rows locked, each run the worker resumes
  // is claimed (its lease taken) and then blocks in the commit that logs its progress, on a
  // pooled connection checked out of the pool. Such a connection has no pool 'error' listener
  // of its own, and a shutdown ends it with 'error'.
  const blocker = new pg.Client({ connectionString: t.url });
  blocker.on('error', () => undefined); // the shutdown ends this connection too; that is the point
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE run_event_rows IN EXCLUSIVE MODE');
  await until(
    'the worker to be blocked in a commit for every run',
    async () => {
      // Asked on another connection: pg_stat_activity is a snapshot taken once per transaction.
      const { rows } = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pipewright' AND wait_event_type = 'Lock'`.execute(
        t.db,
      );
      return rows[0]!.n >= RUNS;
    },
    { timeoutMs: 30_000 },
  );
  const held = await t.db
    .selectFrom('runs')
    .select('id')
    .where('id', 'in', runIds)
    .where('lease_owner', '=', worker.id)
    .execute();
  expect(held.length).toBe(RUNS);

  const port = database!.port;
  await fastShutdownByPidFile(path.join(dir, 'pg'));
  await blocker.end().catch(() => undefined); // already ended by the server
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // the outage itself: nothing to await
  database = await startEmbeddedPostgres({ databaseDir: path.join(dir, 'pg'), password: PASSWORD, port });

  // The runs come back by lease expiry and the reaper, in the same worker; a worker that died
  // fails the test at once instead of after the timeout.
  await Promise.race([
    untilAllTerminal(t.db, runIds, 60_000),
    worker.exited.then(({ code, signal }) => {
      throw new Error(
        `the worker exited (code ${code}, signal ${signal}) after the shutdown:\n${worker.output().slice(-4_000)}`,
      );
    }),
  ]);
  expect(worker.child.exitCode).toBeNull();
  const notSucceeded = await t.db
    .selectFrom('runs')
    .select(['id', 'status', 'error'])
    .where('id', 'in', runIds)
    .where('status', '!=', 'SUCCEEDED')
    .execute();
  expect(notSucceeded).toEqual([]);
  expect(
    await checkRunInvariants(
      t.db,
      runIds,
      steps.map((_, i) => `steps[${i}]`),
    ),
  ).toEqual({ badSteps: [], badSeqs: [] });
}, 120_000);

it('a worker started while PostgreSQL is down waits for it instead of exiting, then works', async () => {
  const workers: TWorkerProcess[] = [];
  const t = { db: db!, url: database!.url };
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'late',
    document: { steps: [{ id: 'a', type: 'transform.assign', config: { assign: { 'vars.a': 1 } } }] },
  });
  const port = database!.port;
  await database!.stop();
  // Down, as during a restart: the port takes connections and drops them at once, and counts them.
  let attempts = 0;
  const dropping = net.createServer((socket) => {
    attempts++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => dropping.listen(port, '127.0.0.1', resolve));
  const starting = startWorker({ url: t.url });
  try {
    // A worker that gives up fails this at once with its output, rather than at the deadline.
    await Promise.race([
      until('the worker to try the database twice', () => attempts >= 2, { timeoutMs: 20_000 }),
      starting.then(() => {
        throw new Error('the worker said it was ready while the database was down');
      }),
    ]);
  } finally {
    await new Promise<void>((resolve) => dropping.close(() => resolve()));
  }
  database = await startEmbeddedPostgres({ databaseDir: path.join(dir, 'pg'), password: PASSWORD, port });
  const worker = await starting;
  workers.push(worker);
  onTestFailed(() => console.log(workerOutputs(workers)));
  expect(worker.output()).toMatch(/database is not reachable .*; trying again in/);
  const { runId } = await startRun({
    tenantId: ctx.tenantId,
    workflowKey: 'late',
    input: {},
    trigger: { type: 'api' },
  });
  await untilAllTerminal(t.db, [runId], 30_000);
  expect(await t.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow()).toEqual({
    status: 'SUCCEEDED',
  });
}, 120_000);
