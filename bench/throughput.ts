/**
 * Section C of bench/http.ts: 1,000 runs × 10 steps started over HTTP 32 at a time, drained by
 * the app's worker (and, for C2, a second worker process), with what the database wrote for
 * them: commits, rows written and WAL bytes per step, from pg_stat_database and
 * pg_current_wal_lsn() read before and after (the same server also serves the bench's own
 * polling, a few statements a second, counted in).
 */
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { BenchClient, loadTest, type TLoadResult } from '@/bench/lib/http-load';

export type TWriteVolume = { commits: number; rowsWritten: number; walBytes: number };

export type TThroughput = {
  starts: TLoadResult;
  stepsPerSecond: number;
  succeededSteps: number;
  elapsedMs: number;
  perStep: { commits: number; rowsWritten: number; walBytes: number };
  /** Rows inserted / updated / deleted per step, by table (the largest first), for the paper estimate in ARCHITECTURE.md. */
  rowsPerStepByTable: Record<string, { inserted: number; updated: number; deleted: number }>;
};

type TTableWrites = Map<string, { inserted: number; updated: number; deleted: number }>;

/** Rows written so far, per table of the app and of pg-boss (pg_stat_user_tables; partitions by their own name). */
async function tableWrites(db: Db): Promise<TTableWrites> {
  const rows = await sql<{ name: string; ins: string; upd: string; del: string }>`
    SELECT schemaname || '.' || relname AS name, n_tup_ins::text AS ins, n_tup_upd::text AS upd, n_tup_del::text AS del
      FROM pg_stat_user_tables`.execute(db);
  return new Map(
    rows.rows.map((r) => [r.name, { inserted: Number(r.ins), updated: Number(r.upd), deleted: Number(r.del) }]),
  );
}

/** Commits, rows inserted/updated/deleted in this database, and the server's WAL position. */
export async function writeVolume(db: Db): Promise<TWriteVolume> {
  const row = await sql<{ commits: string; rows: string; lsn: string }>`
    SELECT xact_commit::text AS commits, (tup_inserted + tup_updated + tup_deleted)::text AS rows,
           pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS lsn
      FROM pg_stat_database WHERE datname = current_database()`.execute(db);
  const r = row.rows[0]!;
  return { commits: Number(r.commits), rowsWritten: Number(r.rows), walBytes: Number(r.lsn) };
}

async function countTerminal(db: Db, ids: string[]): Promise<number> {
  const row = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('id', 'in', ids)
    .where('status', 'in', ['SUCCEEDED', 'FAILED', 'CANCELED'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Starts `runs` runs of `workflowKey` over HTTP, 32 in flight, and waits for all of them to end. */
export async function measureThroughput({
  db,
  client,
  workflowKey,
  runs = 1000,
}: {
  db: Db;
  client: BenchClient;
  workflowKey: string;
  runs?: number;
}): Promise<TThroughput> {
  const ids: string[] = [];
  const before = await writeVolume(db);
  const tablesBefore = await tableWrites(db);
  const t0 = Date.now();
  const starts = await loadTest({
    n: runs,
    concurrency: 32,
    send: async (i) => {
      const res = await client.request('POST', `/api/v1/workflows/${workflowKey}/runs`, { input: { i } });
      if (res.status === 202) ids.push((res.body as { runId: string }).runId);
      return res;
    },
    ok: (s) => s === 202,
  });
  const deadline = Date.now() + 600_000;
  while ((await countTerminal(db, ids)) < ids.length) {
    if (Date.now() > deadline) throw new Error(`bench: ${runs} runs did not finish within 10 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const last = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.max('completed_at').as('last'))
    .where('id', 'in', ids)
    .executeTakeFirstOrThrow();
  const elapsedMs = new Date(last.last as unknown as string).getTime() - t0;
  await new Promise((resolve) => setTimeout(resolve, 1500)); // backends flush their statistics within a second
  const after = await writeVolume(db);
  const tablesAfter = await tableWrites(db);
  const steps = await db
    .selectFrom('run_steps')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('run_id', 'in', ids)
    .where('status', '=', 'SUCCEEDED')
    .executeTakeFirstOrThrow();
  const succeededSteps = Number(steps.n);
  const per = (a: number, b: number) => (a - b) / succeededSteps;
  const byTable = [...tablesAfter]
    .map(([name, a]) => {
      const b = tablesBefore.get(name) ?? { inserted: 0, updated: 0, deleted: 0 };
      const round = (n: number) => Math.round(n * 100) / 100;
      return [
        name,
        {
          inserted: round(per(a.inserted, b.inserted)),
          updated: round(per(a.updated, b.updated)),
          deleted: round(per(a.deleted, b.deleted)),
        },
      ] as const;
    })
    .filter(([, w]) => w.inserted + w.updated + w.deleted >= 0.01)
    .sort(([, x], [, y]) => y.inserted + y.updated + y.deleted - (x.inserted + x.updated + x.deleted));
  return {
    starts,
    stepsPerSecond: (succeededSteps / elapsedMs) * 1000,
    succeededSteps,
    elapsedMs,
    perStep: {
      commits: per(after.commits, before.commits),
      rowsWritten: per(after.rowsWritten, before.rowsWritten),
      walBytes: per(after.walBytes, before.walBytes),
    },
    rowsPerStepByTable: Object.fromEntries(byTable),
  };
}
