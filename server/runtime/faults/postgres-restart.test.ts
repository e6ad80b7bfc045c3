import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, onTestFailed } from 'vitest';
import { createDb, setDb, type Db } from '@/server/db/database';
import { startEmbeddedPostgres, type TEmbeddedDatabase } from '@/server/db/embedded';
import { migrateToLatest } from '@/server/db/migrate';
import { startRun } from '@/server/runtime/start-run';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import { checkRunInvariants, killAllWorkers, startWorker, until, untilAllTerminal, workerOutputs, type TWorkerProcess } from '@/server/runtime/faults/fault-harness';

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
  for (let i = 0; i < RUNS; i++) runIds.push((await startRun({ tenantId: ctx.tenantId, workflowKey: 'napper', input: {}, trigger: { type: 'api' } })).runId);
  await until('every run to be waiting on its first delay', async () => {
    const waiting = await t.db.selectFrom('runs').select('id').where('id', 'in', runIds).where('status', '=', 'WAITING').execute();
    return waiting.length === RUNS;
  }, { timeoutMs: 30_000 });

  // Down across the moment the timers come due; up again on the same port, as a restart is.
  const port = database!.port;
  await database!.stop();
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // the outage itself: nothing to await
  database = await startEmbeddedPostgres({ databaseDir: path.join(dir, 'pg'), password: PASSWORD, port });
  expect(database.port).toBe(port);

  await untilAllTerminal(t.db, runIds, 60_000);
  expect(worker.child.exitCode).toBeNull(); // it survived the outage; no new worker was needed
  const notSucceeded = await t.db.selectFrom('runs').select(['id', 'status', 'error']).where('id', 'in', runIds).where('status', '!=', 'SUCCEEDED').execute();
  expect(notSucceeded).toEqual([]);
  expect(await checkRunInvariants(t.db, runIds, steps.map((_, i) => `steps[${i}]`))).toEqual({ badSteps: [], badSeqs: [] });
  const complaints = worker.output().split('\n').filter((line) => /failed|error/i.test(line)).length;
  console.log(`postgres restart: ${RUNS} runs finished after a ~2 s outage; the worker logged ${complaints} connection errors and carried on`);
}, 120_000);
