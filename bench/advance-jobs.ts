/**
 * 7. Advance jobs per run (part of bench/runtime.ts, BENCH_ONLY=jobs). Seeding 100,000 runs
 * left ~45,000 pending jobs for runs that had already ended; one cause was a finishing run
 * sending a job to the oldest run of its workflow the worker had in hand (QUEUED until its
 * first commit). Runs are started with no worker running, then one worker works them off.
 * Printed: the jobs sent per run (1.000 is one job each). With `aged`, the queued runs are
 * first made 3 minutes old (what a long backlog does to them): the reaper's look for runs
 * untouched for 2 minutes then sees all of them, and must send none a second job while its
 * first is still waiting to be taken.
 */
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { ADVANCE_QUEUE, advanceJobTable } from '@/server/runtime/queue/run-queue';
import { figureRow } from '@/bench/lib/stats';
import { startBenchWorker } from '@/bench/lib/worker-process';

export type TAdvanceJobResults = { runs: number; jobsPerRun: number; drainSeconds: number };

export async function advanceJobBenchmarks({
  db,
  url,
  workflowKey,
  startMany,
  aged = false,
}: {
  db: Db;
  url: string;
  /** A workflow that ends in one pass. */
  workflowKey: string;
  startMany: (n: number) => Promise<string[]>;
  /** Age the queued runs past the reaper's 2-minute look before the worker starts. */
  aged?: boolean;
}): Promise<TAdvanceJobResults> {
  const N = Number(process.env.BENCH_BACKLOG_RUNS ?? 3000);
  console.log(
    `\n7${aged ? 'b' : ''}. Advance jobs per run: ${N.toLocaleString('en')} runs of ${workflowKey} queued${aged ? ', aged 3 min first' : ''}, then one worker`,
  );
  const ids = await startMany(N);
  if (aged) await sql`UPDATE runs SET updated_at = now() - interval '3 minutes' WHERE id = ANY(${ids})`.execute(db);
  const worker = await startBenchWorker(url);
  const t0 = performance.now();
  const deadline = Date.now() + 900_000;
  for (;;) {
    const left = await sql<{
      n: string;
    }>`SELECT count(*) AS n FROM runs WHERE id = ANY(${ids}) AND status NOT IN ('SUCCEEDED', 'FAILED')`.execute(db);
    if (Number(left.rows[0]?.n) === 0) break;
    if (Date.now() > deadline) throw new Error('bench: the backlog did not drain');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const drainSeconds = (performance.now() - t0) / 1000;
  // Two more reaper passes: a job sent late would be counted too.
  await new Promise((resolve) => setTimeout(resolve, 4_500));
  await worker.stop();
  const jobs = sql.raw(await advanceJobTable());
  const sent = await sql<{ n: string }>`
    SELECT count(*) AS n FROM ${jobs} j WHERE j.name = ${ADVANCE_QUEUE} AND j.data->>'runId' = ANY(${ids.map(String)})`.execute(
    db,
  );
  const results: TAdvanceJobResults = {
    runs: N,
    jobsPerRun: Number(sent.rows[0]?.n ?? 0) / N,
    drainSeconds,
  };
  console.log(figureRow('advance jobs sent per run (its first included)', results.jobsPerRun.toFixed(3), '1.000'));
  console.log(figureRow('backlog drained by one worker', `${drainSeconds.toFixed(1)} s`));
  return results;
}
