import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { createDb, getDb, setDb, type Db } from '@/server/db/database';
import { ADVANCE_QUEUE, closeQueue } from '@/server/runtime/queue/run-queue';
import { claimRun } from '@/server/runtime/run-store/claim-run';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

/**
 * The statements on the start → first step path (ARCHITECTURE "Start → first step"): a plain
 * start's insert and a worker's claim are prepared once per connection and reused, so
 * PostgreSQL does not parse and plan their many CTEs per run; a start inside a caller's
 * transaction stays unnamed; a claim still answers after a migration changed `runs`.
 */

let t: TTestDatabase;
let ctx: TAuthContext;
/** A one-connection handle: what it prepared is what pg_prepared_statements shows on it. */
let one: Db;

beforeAll(async () => {
  t = await createTestDatabase('start_path_statements');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'one',
    document: { steps: [{ id: 'one', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
  });
});
afterEach(async () => {
  setDb(t.db);
  await one?.destroy();
});
afterAll(async () => {
  await closeQueue();
  await t.close();
});

function useOneConnection(): Db {
  one = createDb(t.url, { max: 1 }).db;
  setDb(one);
  return one;
}

/** Prepared statements of the one connection whose text contains `fragment`, with how often each ran. */
async function preparedWith(fragment: string): Promise<Array<{ runs: number }>> {
  const rows = await sql<{ runs: number }>`
    SELECT (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements
     WHERE strpos(statement, ${fragment}) > 0 ORDER BY name`.execute(one);
  return rows.rows;
}

const start = (extra: Partial<Parameters<typeof startRun>[0]> = {}) =>
  startRun({ tenantId: ctx.tenantId, workflowKey: 'one', input: {}, trigger: { type: 'api' }, ...extra });

async function jobOf(runId: string): Promise<string> {
  const row = await sql<{ id: string }>`
    SELECT id::text FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND data->>'runId' = ${runId}`.execute(t.db);
  return row.rows[0]!.id;
}

describe('a plain start', () => {
  it('sends its insert as one prepared statement, reused by the next starts', async () => {
    await start(); // pins the version in a transaction of its own
    useOneConnection();
    const ids = [(await start()).runId, (await start()).runId, (await start()).runId];
    expect(await preparedWith('INSERT INTO runs')).toEqual([{ runs: 3 }]);
    const written = await t.db.selectFrom('runs').select('status').where('id', 'in', ids).execute();
    expect(written.map((r) => r.status)).toEqual(['QUEUED', 'QUEUED', 'QUEUED']);
  });

  it('settles on a generic plan, so later starts are not planned at all', async () => {
    useOneConnection();
    // PostgreSQL plans the first five executions for their values, then keeps a generic plan
    // when it costs no more: planning this statement was most of a start's database time.
    for (let i = 0; i < 7; i++) await start();
    const plans = await sql<{ generic: number }>`
      SELECT generic_plans::int AS generic FROM pg_prepared_statements
       WHERE strpos(statement, 'INSERT INTO runs') > 0`.execute(one);
    expect(plans.rows).toHaveLength(1);
    expect(plans.rows[0]!.generic).toBeGreaterThan(0);
  });

  it('leaves a start inside a caller transaction unnamed, and still writes its run', async () => {
    useOneConnection();
    const { runId } = await one.transaction().execute((tx) => start({ tx }));
    expect(await preparedWith('INSERT INTO runs')).toEqual([]);
    const run = await t.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirst();
    expect(run?.status).toBe('QUEUED');
  });
});

describe('a claim', () => {
  it('is prepared per shape: the claim that takes a named job and the plain one, each reused', async () => {
    const runs = [(await start()).runId, (await start()).runId, (await start()).runId, (await start()).runId];
    const jobs = [await jobOf(runs[0]!), await jobOf(runs[1]!)];
    useOneConnection();
    const workerId = 'start-path-test-worker';
    expect(await claimRun({ db: one, runId: runs[0]!, workerId, jobId: jobs[0] })).not.toBeNull();
    expect(await claimRun({ db: one, runId: runs[1]!, workerId, jobId: jobs[1] })).not.toBeNull();
    // The job is taken already: the same statement claims nothing a second time.
    expect(await claimRun({ db: one, runId: runs[1]!, workerId: 'another', jobId: jobs[1] })).toBeNull();
    expect(await claimRun({ db: one, runId: runs[2]!, workerId })).not.toBeNull();
    expect(await claimRun({ db: one, runId: runs[3]!, workerId })).not.toBeNull();
    const claims = await preparedWith('lease_expires_at = now() + make_interval');
    expect(claims).toHaveLength(2);
    expect(claims.map((c) => c.runs).sort()).toEqual([2, 3]);
    const held = await t.db.selectFrom('runs').select('lease_owner').where('id', 'in', runs).execute();
    expect(held.map((r) => r.lease_owner)).toEqual([workerId, workerId, workerId, workerId]);
  });

  it('still claims after a migration changed the runs row its prepared form returns', async () => {
    const [first, second] = [(await start()).runId, (await start()).runId];
    useOneConnection();
    expect(await claimRun({ db: one, runId: first, workerId: 'w' })).not.toBeNull();
    await sql`ALTER TABLE runs ADD COLUMN start_path_probe int`.execute(t.db);
    try {
      const claimed = await claimRun({ db: one, runId: second, workerId: 'w' });
      expect(claimed?.id).toBe(second);
      expect(claimed?.fence).toBe('1');
    } finally {
      await sql`ALTER TABLE runs DROP COLUMN start_path_probe`.execute(t.db);
    }
  });
});

describe("the app's pools", () => {
  it('keep their warm connections through a quiet spell, and a pool without `min` closes them', async () => {
    const pids = async (db: Db) =>
      (
        await Promise.all(
          [0, 1].map(() => sql<{ pid: number }>`SELECT pg_backend_pid() AS pid FROM pg_sleep(0.05)`.execute(db)),
        )
      ).map((r) => r.rows[0]!.pid);
    const warm = createDb(t.url, { max: 2, min: 1 });
    const cold = createDb(t.url, { max: 2 });
    // pg's pool closes an idle connection after idleTimeoutMillis (10 s by default): shortened here.
    warm.pool.options.idleTimeoutMillis = 20;
    cold.pool.options.idleTimeoutMillis = 20;
    try {
      const before = await pids(warm.db);
      expect(new Set(before).size).toBe(2);
      await pids(cold.db);
      while (warm.pool.totalCount > 1 || cold.pool.totalCount > 0) await new Promise((r) => setTimeout(r, 10));
      expect(warm.pool.totalCount).toBe(1);
      const after = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(warm.db);
      expect(before).toContain(after.rows[0]!.pid);
    } finally {
      await warm.db.destroy();
      await cold.db.destroy();
    }
    expect(getDb()).toBe(t.db);
  });
});
