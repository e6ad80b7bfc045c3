/**
 * Issue #16, a long run's events page (GET /runs/{id}/events, its stream, export, the run page
 * all read through readRunEvents), stored as main stored it and as commits store it now, on one
 * database, alternated: `node --conditions=react-server --import tsx bench/run-events-page.ts`.
 *   - "before": one row per event, read by main's statement (`seq > after ORDER BY seq LIMIT`);
 *   - "now, old rows": the same rows read by readRunEvents (a run stored before this change);
 *   - "now": the run's events in rows of 202 (a commit of MAX_PENDING_STEPS pure steps), read by
 *     readRunEvents.
 * Per page of 1,000 events from `after` = 0, a batch's middle and near the end: the call's wall
 * time in this process (statement and rows parsed) and PostgreSQL's CPU (/proc), medians.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { z } from 'zod';
import { RUN_EVENT_TYPES } from '@/model/run-status';
import { createDb, type Db } from '@/server/db/database';
import { migrateToLatest } from '@/server/db/migrate';
import { startEmbeddedPostgres } from '@/server/db/embedded';
import { readRunEvents } from '@/server/runs/list-run-events';
import { postmasterPidOf, processTreeCpuMs } from '@/bench/lib/process-cpu';
import { figureRow } from '@/bench/lib/stats';

const EVENTS = Number(process.env.BENCH_EVENTS_PAGE_EVENTS ?? 20_000);
const PER_ROW = 202;
const ROUNDS = Number(process.env.BENCH_EVENTS_PAGE_ROUNDS ?? 7);
const READS = 50;

/** A run's events as a pure step loop writes them: started and succeeded per step, its path in data. */
const eventsJson = sql`(SELECT jsonb_agg(jsonb_build_object(
    'type', CASE WHEN s % 2 = 1 THEN 'step.started' ELSE 'step.succeeded' END, 'stepId', 'add' || (s / 2) % 10,
    'at', to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'data', jsonb_build_object('path', 'steps[0].do[' || (s / 2) || ']', 'attempt', 1)) ORDER BY s)`;

async function seed(db: Db, tenantId: string): Promise<{ single: string; batched: string }> {
  const single = randomUUID();
  const batched = randomUUID();
  await sql`
    INSERT INTO run_event_rows (run_id, seq, tenant_id, events, type, at, data)
    SELECT ${batched}::uuid, f, ${tenantId}::uuid, ${eventsJson} FROM generate_series(f, least(f + ${PER_ROW} - 1, ${EVENTS})) s), NULL, NULL, NULL
      FROM generate_series(1, ${EVENTS}, ${PER_ROW}) f`.execute(db);
  await sql`
    INSERT INTO run_event_rows (run_id, seq, tenant_id, type, step_id, at, data)
    SELECT ${single}::uuid, seq, tenant_id, type, step_id, at, data FROM run_events WHERE run_id = ${batched}::uuid`.execute(
    db,
  );
  await sql`ANALYZE run_event_rows`.execute(db);
  return { single, batched };
}

/** main's readRunEvents, statement and mapping, on rows of one event. */
async function readAsMain(db: Db, runId: string, after: number, limit: number): Promise<unknown[]> {
  const rows = await db
    .selectFrom('run_event_rows')
    .select(['seq', 'type', 'step_id', 'at', 'data'])
    .where('run_id', '=', runId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    seq: row.seq,
    type: z.enum(RUN_EVENT_TYPES).parse(row.type),
    ...(row.step_id ? { stepId: row.step_id } : {}),
    at: row.at!.toISOString(),
    data: row.data,
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipewright-bench-events-page-'));
  chmodSync(dir, 0o755);
  const database = await startEmbeddedPostgres({ databaseDir: path.join(dir, 'pg'), password: 'bench-password-1234' });
  const { db } = createDb(database.url, { max: 1 });
  try {
    await migrateToLatest({ db });
    const { single, batched } = await seed(db, randomUUID());
    const backend = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0]!.pid;
    const postmaster = postmasterPidOf(backend)!;
    const modes = {
      before: (after: number) => readAsMain(db, single, after, 1000),
      'now, old rows': (after: number) => readRunEvents(db, single, after, 1000),
      now: (after: number) => readRunEvents(db, batched, after, 1000),
    };
    console.log(
      `\nEvents page: one run of ${EVENTS} events, pages of 1,000, ${ROUNDS} rounds × ${READS} reads per mode and after, alternated`,
    );
    for (const after of [0, Math.floor(EVENTS / 2) + 101, EVENTS - 1500]) {
      const wall: Record<string, number[]> = {};
      const cpu: Record<string, number[]> = {};
      for (let round = 0; round < ROUNDS; round++)
        for (const [mode, read] of Object.entries(modes)) {
          await read(after);
          const cpu0 = processTreeCpuMs(postmaster);
          const t0 = performance.now();
          for (let i = 0; i < READS; i++)
            if ((await read(after)).length !== 1000) throw new Error(`${mode}: short page`);
          (wall[mode] ??= []).push((performance.now() - t0) / READS);
          (cpu[mode] ??= []).push((processTreeCpuMs(postmaster) - cpu0) / READS);
        }
      for (const mode of Object.keys(modes))
        console.log(
          figureRow(
            `after=${after} ${mode}: ms per page, wall / PostgreSQL CPU (median of ${ROUNDS})`,
            `${median(wall[mode]!).toFixed(2)} / ${median(cpu[mode]!).toFixed(2)}`,
          ),
        );
    }
  } finally {
    await db.destroy();
    await database.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
