import { z } from 'zod';
import { applyLocalDefaults } from '@/server/config';
import { createDb, setDb } from '@/server/db/database';
import { migrateToLatest } from '@/server/db/migrate';
import { advanceRun } from '@/server/runtime/advance-run';
import { LeaseKeeper } from '@/server/runtime/lease';
import { RunControlListener } from '@/server/runtime/run-control-listener';
import { ADVANCE_QUEUE, getQueue } from '@/server/runtime/queue/run-queue';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startHeartbeat } from '@/worker/heartbeat';
import { REAP_INTERVAL_MS, reapStalledRuns } from '@/worker/reaper';
import { startScheduleTriggers } from '@/worker/schedule-triggers';

const log = (line: string) => console.log(`[worker ${process.pid}] ${line}`);
const ZAdvanceJob = z.object({ runId: z.string().uuid() });
/** Concurrent fetch loops, each with a batch of up to 8 runs. */
const WORKER_FETCH_LOOPS = 3;

async function main(): Promise<void> {
  applyLocalDefaults(process.env);
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('npm run worker needs DATABASE_URL (npm start runs a worker against its embedded database).');
    process.exit(1);
  }
  // Enough connections for every run in hand (WORKER_FETCH_LOOPS × 8) to write without queueing for long.
  const { db } = createDb(url, { max: 16 });
  setDb(db);
  await migrateToLatest({ db, log });

  const boss = await getQueue({ role: 'worker' });
  const heartbeat = await startHeartbeat({ db, log });
  const leases = new LeaseKeeper(db, heartbeat.id, log);
  // Pause and cancel requests reach the run in hand within milliseconds, not at the next renewal.
  const control = new RunControlListener(url, { onRun: (runId) => leases.refresh(runId), onResync: () => leases.refresh(), log });
  await control.start();

  // Several runs per fetch, each advanced through many steps inside its job; a full batch
  // fetches again at once (burst) instead of waiting out the polling interval. Several fetch
  // loops (localConcurrency), so one long run does not hold up the rest of its batch's
  // successors: a batch is done when its slowest run is. pg-boss sends
  // no NOTIFY for a job due later (a delay, a retry's backoff, a timeout), and with NOTIFY on
  // it polls only every 30 s unless told otherwise: timers would fire up to 30 s late.
  await boss.work(ADVANCE_QUEUE, { batchSize: 8, localConcurrency: WORKER_FETCH_LOOPS, burstWhenBatchFull: true, pollingIntervalSeconds: 2, notifyPollingIntervalSeconds: 2 }, async (jobs) => {
    await Promise.all(
      jobs.map(async (job) => {
        const { runId } = ZAdvanceJob.parse(job.data);
        await advanceRun({ db, runId, workerId: heartbeat.id, leases, log }).catch((error: unknown) => {
          // The run stays as it was last written; its lease expires and the reaper re-sends it.
          log(`run ${runId}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
        });
      }),
    );
  });
  await startScheduleTriggers({ db, boss, log });
  const reaper = setInterval(() => {
    reapStalledRuns({ db }).catch((error: Error) => log(`reaper: ${error.message}`));
  }, REAP_INTERVAL_MS);
  log(`ready (${heartbeat.id})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing current work and stopping`);
    clearInterval(reaper);
    // Stop taking jobs and let the runs in hand reach their next write; what is not finished
    // is handed back by its lease running out.
    await boss.stop({ graceful: true, timeout: 20_000 }).catch((error: Error) => log(`queue stop: ${error.message}`));
    await control.close().catch((error: Error) => log(`run control: ${error.message}`));
    await heartbeat.stop().catch((error: Error) => log(`could not mark the worker stopped: ${error.message}`));
    await closeExpressionPool();
    await db.destroy();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('[worker] failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
