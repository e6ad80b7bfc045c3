import { sql } from 'kysely';
import type { Db } from '@/server/db/database';

/** The current WAL position, as text for pg_walinspect. */
export async function walPosition(db: Db): Promise<string> {
  const row = await sql<{ lsn: string }>`SELECT pg_current_wal_lsn()::text AS lsn`.execute(db);
  return row.rows[0]!.lsn;
}

/**
 * BENCH_WAL_BREAKDOWN=1: what the WAL between two positions was made of, per unit of work
 * (`per` of `unit`, steps unless said), by relation (heap and index blocks: data and full-page
 * images) and by record type, read with pg_walinspect (contrib, created here; needs a superuser).
 */
export async function printWalBreakdown(
  db: Db,
  {
    from,
    to,
    per,
    label,
    unit = 'step',
    indent = '  ',
  }: { from: string; to: string; per: number; label: string; unit?: string; indent?: string },
): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_walinspect`.execute(db);
  const relations = await sql<{ relation: string; blocks: string; data: string; fpi: string; fpis: string }>`
    SELECT coalesce(pg_filenode_relation(
             CASE WHEN reltablespace = (SELECT oid FROM pg_tablespace WHERE spcname = 'pg_default') THEN 0 ELSE reltablespace END,
             relfilenode)::text, relfilenode::text) AS relation,
           count(*)::text AS blocks, sum(block_data_length)::text AS data,
           sum(coalesce(block_fpi_length, 0))::text AS fpi, count(block_fpi_length)::text AS fpis
      FROM pg_get_wal_block_info(${from}::pg_lsn, ${to}::pg_lsn)
     GROUP BY 1 ORDER BY sum(block_data_length) + sum(coalesce(block_fpi_length, 0)) DESC LIMIT 16`.execute(db);
  const records = await sql<{ record_type: string; count: string; record_size: string; fpi_size: string }>`
    SELECT "resource_manager/record_type" AS record_type, count::text, record_size::text, fpi_size::text
      FROM pg_get_wal_stats(${from}::pg_lsn, ${to}::pg_lsn, true)
     WHERE count > 0 ORDER BY combined_size DESC LIMIT 12`.execute(db);
  const f = (n: string) => (Number(n) / per).toFixed(Number(n) / per < 10 ? 2 : 0);
  console.log(`${indent}${label}: WAL per ${unit} by relation: block refs / data bytes / full-page images (bytes)`);
  for (const r of relations.rows)
    console.log(`${indent}  ${f(r.blocks)} / ${f(r.data)} / ${f(r.fpis)} (${f(r.fpi)})  ${r.relation}`);
  console.log(`${indent}${label}: WAL per ${unit} by record type: records / record bytes / full-page image bytes`);
  for (const r of records.rows)
    console.log(`${indent}  ${f(r.count)} / ${f(r.record_size)} / ${f(r.fpi_size)}  ${r.record_type}`);
}

/**
 * BENCH_WAL_BY_INDEX=1: the WAL of each step's commit by the step's place in its run, to see
 * whether a step costs more the further its run has gone. The commits are the transactions that
 * wrote `run_steps` between `from` and `to`, in WAL order; the window's runs ran one at a time,
 * so each has the same number of them, and the n-th of a run is its n-th step's commit (the
 * previous step's result and this step's RUNNING record). Prints the mean bytes (every record
 * of the transaction, its commit record included) over the first and the last `span` commits.
 */
export async function printWalByStepIndex(
  db: Db,
  { from, to, runs, span = 10, label }: { from: string; to: string; runs: number; span?: number; label: string },
): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_walinspect`.execute(db);
  const commits = await sql<{ bytes: string }>`
    WITH steps AS (SELECT DISTINCT xid FROM pg_get_wal_block_info(${from}::pg_lsn, ${to}::pg_lsn)
                    WHERE relfilenode = pg_relation_filenode('run_steps') AND xid <> 0)
    SELECT sum(r.record_length)::text AS bytes
      FROM pg_get_wal_records_info(${from}::pg_lsn, ${to}::pg_lsn) r JOIN steps USING (xid)
     GROUP BY r.xid ORDER BY min(r.start_lsn)`.execute(db);
  const perRun = commits.rows.length / runs;
  if (!Number.isInteger(perRun) || perRun < span * 2) {
    console.log(`  ${label}: ${commits.rows.length} step commits for ${runs} runs: not one set per run, no figure`);
    return;
  }
  const mean = (first: number) => {
    let sum = 0;
    for (let run = 0; run < runs; run++)
      for (let i = first; i < first + span; i++) sum += Number(commits.rows[run * perRun + i]!.bytes);
    return (sum / (runs * span)).toFixed(0);
  };
  console.log(
    `  ${label}: WAL bytes per step commit (${perRun} a run), commits 1–${span}: ${mean(0)}; ${perRun - span + 1}–${perRun}: ${mean(perRun - span)}`,
  );
}
