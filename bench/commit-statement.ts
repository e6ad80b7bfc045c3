/**
 * Issue #16, the worker's JavaScript for the statements a pure run sends: CPU µs to build and
 * hand over a run's final commit (1 step, 10 steps), a durable step's commit and a claim, against
 * a database driver that answers nothing (Kysely's DummyDriver), so only the worker's own work is
 * counted: building the text and its parameters, compiling, dispatching. Alone:
 * `node --conditions=react-server --import tsx bench/commit-statement.ts`; BENCH_COMMIT_BEFORE=<rev>
 * (default `main`) runs the same file in a `git archive` of that revision too, alternated,
 * BENCH_COMMIT_ROUNDS rounds (default 3) of BENCH_COMMIT_CALLS calls (default 20,000) each.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { Db } from '@/server/db/database';
import { commitBatch } from '@/server/runtime/run-store/commit-batch';
import { claimRun } from '@/server/runtime/run-store/claim-run';

/** The batch type from the function itself: this file also runs in an older checkout (its `git archive`), where the type lives elsewhere. */
type TBatch = Parameters<typeof commitBatch>[1];

const CALLS = Number(process.env.BENCH_COMMIT_CALLS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_COMMIT_ROUNDS ?? 3);

function finalBatch(steps: number): TBatch {
  const run = { id: randomUUID(), tenantId: randomUUID(), fence: '1' };
  const at = new Date();
  const inserts = Array.from({ length: steps }, (_, i) => ({
    id: randomUUID(),
    stepId: `step${i}`,
    path: `${i}`,
    type: 'transform.assign',
    attempt: 1,
    status: 'SUCCEEDED' as const,
    input: { value: i },
    output: { value: i },
    error: null,
    startedAt: at,
    completedAt: at,
  }));
  const events = Array.from({ length: 2 * steps + 2 }, (_, i) => ({
    type: 'step.succeeded' as const,
    stepId: `step${i}`,
    data: { i },
    at,
  }));
  return {
    run,
    execution: JSON.stringify({ cursor: [steps], vars: { a: 1 } }),
    inserts,
    updates: [],
    events,
    snapshots: inserts.map((s) => ({
      stepRecordId: s.id,
      json: '{"a":1}',
      truncated: false,
      sizeBytes: 7,
    })),
    invocations: inserts
      .filter((_, i) => i % 2 === 1)
      .map((s) => ({
        action: 'core.echo',
        version: 1,
        idempotencyKey: `${run.id}:${s.path}`,
        stepPath: s.path,
        output: {},
      })),
    blockResults: [],
    endedBlocks: [],
    artifacts: [],
    patch: { status: 'SUCCEEDED', output: { ok: true }, startedAt: at, completedAt: at },
    extras: [],
    releasing: true,
    admitNextOf: randomUUID(),
    eventLocks: [],
  };
}

/** A durable step's commit: its RUNNING record and the previous step's result, under the lease. */
function durableBatch(): TBatch {
  const batch = finalBatch(1);
  const [record] = batch.inserts;
  return {
    ...batch,
    inserts: [{ ...record!, status: 'RUNNING', completedAt: null, output: null }],
    updates: [[randomUUID(), { status: 'SUCCEEDED', output: { status: 200 }, completedAt: new Date() }]],
    events: batch.events.slice(0, 2),
    patch: {},
    releasing: false,
    admitNextOf: null,
  };
}

async function measureChild(): Promise<Record<string, number>> {
  // The advance job's CTEs come from pg-boss's SQL at the first use; a stand-in of the same shape.
  (globalThis as { pipewrightAdvanceJobSql?: unknown }).pipewrightAdvanceJobSql = Promise.resolve(
    (rows: string) => `advance_notified AS (SELECT count(*) FROM (${rows}) j)`,
  );
  const db = new Kysely<never>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  }) as unknown as Db;
  const cases: Record<string, () => Promise<unknown>> = {
    'final commit, 1-step run': () => commitBatch(db, finalBatch(1)),
    'final commit, 10-step run': () => commitBatch(db, finalBatch(10)),
    'durable step commit': () => commitBatch(db, durableBatch()),
    claim: () => claimRun({ db, runId: randomUUID(), workerId: 'bench' }),
  };
  const out: Record<string, number> = {};
  for (const [name, call] of Object.entries(cases)) {
    for (let i = 0; i < 2_000; i++) await call();
    const before = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) await call();
    const used = process.cpuUsage(before);
    out[name] = (used.user + used.system) / CALLS;
  }
  return out;
}

function runIn(root: string): Record<string, number> {
  const output = execFileSync(
    process.execPath,
    ['--conditions=react-server', '--import', 'tsx', 'bench/commit-statement.ts'],
    { cwd: root, env: { ...process.env, BENCH_COMMIT_CHILD: '1' }, encoding: 'utf8' },
  );
  return JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, number>;
}

async function main(): Promise<void> {
  if (process.env.BENCH_COMMIT_CHILD) {
    console.log(JSON.stringify(await measureChild()));
    return;
  }
  const rev = process.env.BENCH_COMMIT_BEFORE ?? 'main';
  const root = mkdtempSync(path.join(tmpdir(), 'pipewright-bench-commit-'));
  try {
    execFileSync('sh', ['-c', `git archive --format=tar ${JSON.stringify(rev)} | tar -x -C ${JSON.stringify(root)}`]);
    symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'));
    copyFileSync(path.resolve('bench/commit-statement.ts'), path.join(root, 'bench/commit-statement.ts'));
    console.log(`CPU µs per statement built and handed to a driver that answers nothing; ${CALLS} calls a round`);
    for (let round = 0; round < ROUNDS; round++) {
      const before = runIn(root);
      const now = runIn(process.cwd());
      for (const name of Object.keys(now))
        console.log(
          `  round ${round + 1} ${name.padEnd(28)} ${rev}: ${before[name]!.toFixed(1)}  now: ${now[name]!.toFixed(1)}`,
        );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
