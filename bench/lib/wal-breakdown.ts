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
 * whether a step costs more the further its run has gone. A step record's current version was
 * written by the commit that stored its result (its `xmin`), which also carries the next
 * step's RUNNING record: so the k-th record of a run names the transaction before the call of
 * step k + 1. Prints the mean bytes of those transactions (every record, the commit's included)
 * for the first `span` steps and the last `span` before the run's final step.
 */
export async function printWalByStepIndex(
  db: Db,
  { from, to, runIds, span = 10, label }: { from: string; to: string; runIds: string[]; span?: number; label: string },
): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_walinspect`.execute(db);
  const rows = await sql<{ k: number; bytes: number }>`
    WITH tx AS (SELECT xid::text::bigint AS xid, sum(record_length) AS bytes
                  FROM pg_get_wal_records_info(${from}::pg_lsn, ${to}::pg_lsn) GROUP BY xid),
         steps AS (SELECT xmin::text::bigint AS xid,
                          row_number() OVER (PARTITION BY run_id ORDER BY started_at, attempt)::int AS k
                     FROM run_steps WHERE run_id = ANY(${runIds}::uuid[]))
    SELECT k, avg(tx.bytes)::float8 AS bytes FROM steps JOIN tx USING (xid) GROUP BY k ORDER BY k`.execute(db);
  const last = rows.rows.length;
  if (last < span * 2 + 1) return;
  const mean = (list: Array<{ bytes: number }>) => (list.reduce((a, r) => a + r.bytes, 0) / list.length).toFixed(0);
  console.log(
    `  ${label}: WAL bytes of the commit holding step k's result and step k+1's RUNNING record, k = 1–${span}: ${mean(rows.rows.slice(0, span))}; k = ${last - span}–${last - 1}: ${mean(rows.rows.slice(last - span - 1, last - 1))}`,
  );
  // Where a difference between the two spans lies, by relation: block data (+ full-page images).
  const relations = await sql<{ relation: string; first: number; late: number; firstFpi: number; lateFpi: number }>`
    WITH steps AS (SELECT xmin::text::bigint AS xid,
                          row_number() OVER (PARTITION BY run_id ORDER BY started_at, attempt)::int AS k
                     FROM run_steps WHERE run_id = ANY(${runIds}::uuid[])),
         blocks AS (SELECT xid::text::bigint AS xid, relfilenode, reltablespace,
                           block_data_length AS bytes, coalesce(block_fpi_length, 0) AS fpi
                      FROM pg_get_wal_block_info(${from}::pg_lsn, ${to}::pg_lsn))
    SELECT coalesce(pg_filenode_relation(0, relfilenode)::text, relfilenode::text) AS relation,
           (sum(bytes) FILTER (WHERE k <= ${span}))::float8 / ${runIds.length * span} AS first,
           (sum(bytes) FILTER (WHERE k BETWEEN ${last - span} AND ${last - 1}))::float8 / ${runIds.length * span} AS late,
           (sum(fpi) FILTER (WHERE k <= ${span}))::float8 / ${runIds.length * span} AS "firstFpi",
           (sum(fpi) FILTER (WHERE k BETWEEN ${last - span} AND ${last - 1}))::float8 / ${runIds.length * span} AS "lateFpi"
      FROM steps JOIN blocks USING (xid) GROUP BY 1 ORDER BY 3 DESC NULLS LAST LIMIT 12`.execute(db);
  for (const r of relations.rows)
    console.log(
      `    ${(r.first ?? 0).toFixed(0)} (+${(r.firstFpi ?? 0).toFixed(0)}) → ${(r.late ?? 0).toFixed(0)} (+${(r.lateFpi ?? 0).toFixed(0)})  ${r.relation}`,
    );
}
