/**
 * Retention at scale (issue 19): 100,000 ended runs past their retention (BENCH_PURGE_RUNS), each
 * with 3 step records, 3 snapshots, 6 events and 2 ledger rows under its default keys, plus
 * 20,000 recent runs and 2,000 runs still waiting that must stay. Times one purge pass of the
 * real `purgeExpiredRuns` (batches of 1,000 top-level runs) and prints runs/s, the time per
 * batch, and EXPLAIN ANALYZE of a batch's selection. Rows are written with generate_series,
 * not by running 120,000 workflows: the purge reads and deletes rows, it does not care who
 * wrote them.
 *
 *   node --conditions=react-server --import tsx bench/retention.ts
 *
 * Against DATABASE_URL when set (a scratch database: it creates a tenant and leaves it), else
 * an embedded PostgreSQL in a temporary directory.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb, setDb, type Db } from '@/server/db/database';
import { startEmbeddedPostgres } from '@/server/db/embedded';
import { migrateToLatest } from '@/server/db/migrate';
import { purgeExpiredRuns, PURGE_BATCH } from '@/server/retention/purge-expired-runs';

const EXPIRED = Number(process.env.BENCH_PURGE_RUNS ?? 100_000);
const RECENT = 20_000;
const WAITING = 2_000;

async function seed(db: Db): Promise<{ tenantId: string }> {
  const tenant = await db
    .insertInto('tenants')
    .values({ slug: `purge-${Date.now()}`, name: 'Purge bench' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const workflow = await db
    .insertInto('workflows')
    .values({ tenant_id: tenant.id, key: 'purged', name: 'purged' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const version = await db
    .insertInto('workflow_versions')
    .values({
      tenant_id: tenant.id,
      workflow_id: workflow.id,
      version: 1,
      status: 'published',
      document: JSON.stringify({ key: 'purged', name: 'purged', settings: { retentionDays: 30 }, steps: [] }),
      published_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const t0 = performance.now();
  const insert = async (n: number, status: string, endedDaysAgo: number | null) => {
    for (let from = 0; from < n; from += 10_000) {
      const count = Math.min(10_000, n - from);
      await sql`
        WITH r AS (
          INSERT INTO runs (tenant_id, workflow_id, workflow_key, version_id, version, status, input, trigger, execution,
                            event_seq, created_at, started_at, completed_at)
          SELECT ${tenant.id}, ${workflow.id}, 'purged', ${version.id}, 1, ${status}, jsonb_build_object('i', g), '{"type":"api"}',
                 '{}', 6, now() - interval '90 days', now() - interval '90 days',
                 ${endedDaysAgo === null ? sql`NULL` : sql`now() - make_interval(days => ${endedDaysAgo}) - g * interval '1 second'`}
            FROM generate_series(1, ${count}) g
          RETURNING id
        ),
        s AS (
          INSERT INTO run_steps (id, run_id, tenant_id, step_id, path, type, attempt, status, input, output, started_at, completed_at, duration_ms)
          SELECT gen_random_uuid(), r.id, ${tenant.id}, 'step' || k, 'steps[' || k || ']', 'action.call', 1, 'SUCCEEDED',
                 '{"a":1}', '{"b":2}', now() - interval '90 days', now() - interval '90 days', 3
            FROM r CROSS JOIN generate_series(0, 2) k
          RETURNING id, run_id, path
        ),
        snaps AS (
          INSERT INTO run_snapshots (step_record_id, run_id, tenant_id, path, snapshot, truncated, size_bytes)
          SELECT s.id, s.run_id, ${tenant.id}, s.path, '{"vars":{"x":1}}', false, 16 FROM s
        ),
        ev AS (
          INSERT INTO run_event_rows (run_id, seq, tenant_id, type, step_id, data)
          SELECT r.id, k, ${tenant.id}, 'log', NULL, '{}' FROM r CROSS JOIN generate_series(1, 6) k
        )
        INSERT INTO action_invocations (tenant_id, action, version, idempotency_key, run_id, step_path, output)
        SELECT ${tenant.id}, 'core.echo', 1, r.id::text || ':steps[' || k || ']', r.id, 'steps[' || k || ']', '{}'
          FROM r CROSS JOIN generate_series(0, 1) k`.execute(db);
    }
  };
  await insert(EXPIRED, 'SUCCEEDED', 60);
  await insert(RECENT, 'SUCCEEDED', 5);
  await insert(WAITING, 'WAITING', null);
  await sql`ANALYZE`.execute(db);
  console.log(
    `seeded ${EXPIRED} expired + ${RECENT} recent + ${WAITING} waiting runs in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { tenantId: tenant.id };
}

async function explainBatch(db: Db): Promise<string> {
  const plan = await sql<{ 'QUERY PLAN': string }>`
    EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
    WITH policy AS (
      SELECT v.id AS version_id, make_interval(days => coalesce((v.document::jsonb #>> '{settings,retentionDays}')::int, t.retention_days, 30)) AS keep
        FROM workflow_versions v JOIN tenants t ON t.id = v.tenant_id WHERE v.status = 'published'
    )
    SELECT r.id FROM policy p CROSS JOIN LATERAL (
      SELECT id FROM runs WHERE version_id = p.version_id AND parent_run_id IS NULL AND completed_at IS NOT NULL
         AND completed_at < now() - p.keep AND status IN ('SUCCEEDED', 'FAILED', 'CANCELED')
       ORDER BY completed_at LIMIT ${PURGE_BATCH}) r LIMIT ${PURGE_BATCH}`.execute(db);
  return plan.rows.map((row) => row['QUERY PLAN']).join('\n');
}

async function main(): Promise<void> {
  let dir: string | null = null;
  let stop = async () => {};
  let url = process.env.DATABASE_URL;
  if (!url) {
    dir = mkdtempSync(path.join(tmpdir(), 'pipewright-purge-'));
    chmodSync(dir, 0o755); // the embedded server runs as the postgres user when we are root
    const database = await startEmbeddedPostgres({
      databaseDir: path.join(dir, 'pg'),
      password: 'bench-password-1234',
    });
    url = database.url;
    stop = database.stop;
  }
  const { db } = createDb(url, { max: 4 });
  setDb(db);
  try {
    await migrateToLatest({ db });
    const { tenantId } = await seed(db);
    console.log(`\nselection of one batch, before the pass:\n${await explainBatch(db)}\n`);
    const t0 = performance.now();
    const pass = await purgeExpiredRuns({ db, maxBatches: 1_000 });
    const seconds = (performance.now() - t0) / 1000;
    const left = await sql<{ status: string; n: number }>`
      SELECT status, count(*)::int AS n FROM runs WHERE tenant_id = ${tenantId} GROUP BY status ORDER BY status`.execute(
      db,
    );
    const orphans = await sql<{ steps: number; events: number; ledger: number }>`
      SELECT (SELECT count(*) FROM run_steps WHERE tenant_id = ${tenantId})::int AS steps,
             (SELECT count(*) FROM run_events WHERE tenant_id = ${tenantId})::int AS events,
             (SELECT count(*) FROM action_invocations WHERE tenant_id = ${tenantId})::int AS ledger`.execute(db);
    console.log(
      `purge: ${pass.deleted} runs in ${pass.batches} batches, ${seconds.toFixed(1)} s = ${(pass.deleted / seconds).toFixed(0)} runs/s ` +
        `(${((seconds * 1000) / Math.max(1, pass.batches)).toFixed(0)} ms per batch of ${PURGE_BATCH})`,
    );
    console.log(`left: ${left.rows.map((row) => `${row.status} ${row.n}`).join(', ')}`);
    console.log(`rows left of the kept runs: ${JSON.stringify(orphans.rows[0])}`);
    const expectedKept = (RECENT + WAITING) * 3;
    if (pass.deleted !== EXPIRED || orphans.rows[0]!.steps !== expectedKept) {
      throw new Error(`expected ${EXPIRED} deleted and ${expectedKept} step records kept`);
    }
    const again = performance.now();
    const idle = await purgeExpiredRuns({ db });
    console.log(
      `a pass with nothing to delete: ${(performance.now() - again).toFixed(1)} ms (${idle.deleted} deleted), ${RECENT + WAITING} runs kept`,
    );
  } finally {
    await db.destroy();
    await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
