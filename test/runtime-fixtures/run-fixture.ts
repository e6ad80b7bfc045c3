import type { Db } from '@/server/db/database';
import { isTerminal, type TRunStatus } from '@/model/run-status';
import { startRun } from '@/server/runtime/start-run';
import { putSecret } from '@/server/secrets/put-secret';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import { answerTask, deliverEvent, storeEvent } from '@/test/runtime-fixtures/resolve-waits';
import type { TFixture } from '@/test/runtime-fixtures/fixture-format';
import {
  hasSnapshot,
  snapshotAsTaken,
  snapshotSizeBytes,
  snapshotTruncated,
} from '@/server/runtime/run-store/stored-snapshot';

/** Everything a fixture's run left in the database, for comparison. */
export type TFixtureRun = Awaited<ReturnType<typeof collectRun>>;

/** Run by run, the order in which the pipes of a block run (and are listed in the designer). */
const PIPE_RANK: Record<string, number> = {
  steps: 0,
  try: 1,
  catch: 2,
  finally: 3,
  then: 4,
  else: 5,
  cases: 6,
  default: 7,
  branches: 8,
  config: 0,
};

/**
 * Compares step paths in the order a sequential run meets them: `steps[2]` before
 * `steps[10]`, `try` before `catch` before `finally`, iteration `#1` before `#2`, and a block
 * before what is inside it. Used to break ties between records started in the same millisecond.
 */
export function compareStepPaths(a: string, b: string): number {
  const tokens = (path: string) => path.match(/[A-Za-z]+|\d+/g) ?? [];
  const left = tokens(a);
  const right = tokens(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const [x, y] = [left[i]!, right[i]!];
    if (x === y) continue;
    const [nx, ny] = [Number(x), Number(y)];
    if (Number.isInteger(nx) && Number.isInteger(ny)) return nx - ny;
    return (PIPE_RANK[x] ?? 99) - (PIPE_RANK[y] ?? 99) || x.localeCompare(y);
  }
  return left.length - right.length;
}

/** Drives a run, and the child runs it waits on, until it is terminal or waits on the outside world. */
async function settle(db: Db, runId: string): Promise<TRunStatus> {
  for (let round = 0; round < 20; round++) {
    const status = await driveRun({ db, runId });
    if (status !== 'WAITING') return status;
    const children = await db.selectFrom('runs').select(['id', 'status']).where('parent_run_id', '=', runId).execute();
    let finished = 0;
    for (const child of children.filter((c) => !isTerminal(c.status)))
      if (isTerminal(await settle(db, child.id))) finished += 1;
    // Children that wait on the outside world too: the script has to act first.
    if (finished === 0) return status;
  }
  throw new Error(`run ${runId} kept waiting on its children`);
}

/**
 * Sets up a fixture in a tenant of its own (so keys, secrets, events and ledger rows never
 * meet another fixture's), runs it, applies its script while it waits, and reads back
 * everything it stored.
 */
export async function runFixture({ db, fixture }: { db: Db; fixture: TFixture }) {
  const { ctx, tenantId, email } = await createTenantWithMember({ db, role: 'admin' });
  for (const [name, value] of Object.entries(fixture.secrets)) await putSecret({ db, ctx, input: { name, value } });
  // Children first, so publishing a parent finds the workflows it calls.
  const keys = Object.keys(fixture.workflows);
  for (const key of [...keys].reverse())
    await publishWorkflow({
      db,
      ctx,
      key,
      document: fixture.workflows[key] as Parameters<typeof publishWorkflow>[0]['document'],
    });
  const workflowKey = keys[0]!;
  const start = async (input: unknown) =>
    (await startRun({ tenantId, workflowKey, input, trigger: { type: 'api' } })).runId;

  const prior: Array<{ runId: string; status: TRunStatus; expected: TRunStatus }> = [];
  for (const run of fixture.priorRuns) {
    const runId = await start(run.input);
    prior.push({ runId, status: await settle(db, runId), expected: run.status });
  }
  for (const event of fixture.eventsBefore) await storeEvent({ db, tenantId, event });

  const runId = await start(fixture.input);
  let status = await settle(db, runId);
  for (const action of fixture.script) {
    if (status !== 'WAITING') throw new Error(`the script has more to do, but the run is ${status}`);
    if ('deliver' in action) await deliverEvent({ db, tenantId, event: action.deliver });
    else await answerTask({ db, tenantId, completedBy: email, answer: action.answer });
    status = await settle(db, runId);
  }
  return { ctx, tenantId, email, prior, ...(await collectRun(db, runId, tenantId)) };
}

async function collectRun(db: Db, runId: string, tenantId: string) {
  const run = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
  const [steps, events, snapshots, tasks, invocations, children] = await Promise.all([
    db.selectFrom('run_steps').selectAll().where('run_id', '=', runId).execute(),
    db.selectFrom('run_events').selectAll().where('run_id', '=', runId).orderBy('seq').execute(),
    // As the run page reads them: a snapshot's run-wide values put back (storedSnapshot).
    db
      .selectFrom('run_steps as r')
      .leftJoin('run_snapshots as s', 's.step_record_id', 'r.id')
      .select([
        'r.id as step_record_id',
        'r.path',
        snapshotTruncated(),
        snapshotSizeBytes(),
        snapshotAsTaken(run, run.tenant_id),
      ])
      .where('r.run_id', '=', runId)
      .where(hasSnapshot())
      .execute(),
    db.selectFrom('tasks').selectAll().where('run_id', '=', runId).orderBy('created_at').execute(),
    db.selectFrom('action_invocations').selectAll().where('tenant_id', '=', tenantId).orderBy('completed_at').execute(),
    db.selectFrom('runs').selectAll().where('parent_run_id', '=', runId).orderBy('created_at').execute(),
  ]);
  return { runId, run, steps, events, snapshots, tasks, invocations, children };
}
