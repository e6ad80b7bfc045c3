import { sql } from 'kysely';
import type { Db } from '@/server/db/database';

/**
 * The database's statements, if pg_stat_statements is loaded (BENCH_PG_STATEMENTS=1 starts the
 * embedded server with it): the extension is created and its counters reset, so what follows is
 * one window. False when it is not loaded.
 */
export async function resetStatements(db: Db): Promise<boolean> {
  const loaded = await sql<{ on: boolean }>`
    SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%' AS on`.execute(db);
  if (!loaded.rows[0]?.on) return false;
  await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`.execute(db);
  await sql`SELECT pg_stat_statements_reset()`.execute(db);
  return true;
}

/**
 * The statements that cost PostgreSQL most in the window, per run (or `unit`): calls, execution
 * and planning ms, shared buffers touched (hit or read: the work done, which a loaded machine's
 * timings blur), WAL bytes.
 */
export async function printStatements(
  db: Db,
  {
    runs,
    label,
    indent = '  ',
    limit = 8,
    unit = 'run',
  }: { runs: number; label: string; indent?: string; limit?: number; unit?: string },
): Promise<void> {
  const rows = await sql<{
    calls: string;
    plans: string;
    exec_ms: number;
    plan_ms: number;
    buffers: string;
    wal: string;
    query: string;
  }>`
    SELECT calls::text, plans::text, total_exec_time AS exec_ms, total_plan_time AS plan_ms,
           (shared_blks_hit + shared_blks_read)::text AS buffers, wal_bytes::text AS wal,
           left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 90) AS query
      FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT ${limit}`.execute(db);
  console.log(
    `${indent}${label}: statements by PostgreSQL time, per ${unit}: calls / exec ms / plan ms (plans) / buffers / WAL bytes`,
  );
  for (const r of rows.rows)
    console.log(
      `${indent}  ${(Number(r.calls) / runs).toFixed(2)} / ${(r.exec_ms / runs).toFixed(3)} / ${(r.plan_ms / runs).toFixed(3)} (${r.plans}) / ${(Number(r.buffers) / runs).toFixed(1)} / ${(Number(r.wal) / runs).toFixed(0)}  ${r.query}`,
    );
}

/** How many of these runs have not ended yet. */
export async function unfinishedRuns(db: Db, ids: readonly string[]): Promise<number> {
  const row = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM runs WHERE id = ANY(${ids}::uuid[]) AND status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELED')`.execute(
    db,
  );
  return row.rows[0]!.n;
}
