import { applyLocalDefaults } from '@/server/config';
import { KEEP_WARM_CONNECTIONS, createDb, setDb, waitForDatabase } from '@/server/db/database';
import { migrateToLatest } from '@/server/db/migrate';
import { advanceRun, isReportedRunError } from '@/server/runtime/advance-run';
import { LeaseKeeper } from '@/server/runtime/run-store/lease-keeper';
import { RunControlListener } from '@/server/runtime/run-control-listener';
import { ADVANCE_QUEUE, ZAdvanceJob, enqueueAdvance, getQueue } from '@/server/runtime/queue/run-queue';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { closeCodePool } from '@/server/runtime/code/code-pool';
import { startHeartbeat } from '@/worker/heartbeat';
import { FetchedJobs } from '@/worker/fetched-jobs';
import { faultPoint } from '@/server/runtime/fault-points';
import { registerWorker } from '@/server/workers/worker-presence';
import { REAP_INTERVAL_MS, reapStalledRuns } from '@/server/runtime/run-store/reap-stalled-runs';
import { RunsInHand } from '@/worker/runs-in-hand';
import { RunReadyListener, takeAnnouncedRuns } from '@/worker/run-ready-listener';
import { startScheduleTriggers } from '@/worker/schedule-triggers';
import { startTaskTimers } from '@/worker/task-timers';
import { startOperations } from '@/worker/operations';
import { installLogging } from '@/server/logging/logger';
import { holdAtFaultPointFromEnv } from '@/worker/fault-hold';

// JSON lines (SPEC §8); console output of libraries goes through the same logger.
const logger = installLogging({ service: 'worker' });
let log = (line: string) => logger.info(line);
/** Concurrent fetch loops, each with a batch of up to 8 jobs. */
const WORKER_FETCH_LOOPS = 3;
/** Jobs per fetch. */
const FETCH_BATCH = 8;
/** Runs advanced at once by one worker, whatever batch they came in. */
const RUNS_IN_HAND = 24;

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(): Promise<void> {
  applyLocalDefaults(process.env);
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('npm run worker needs DATABASE_URL (npm start runs a worker against its embedded database).');
    process.exit(1);
  }
  // Enough connections for the runs in hand (RUNS_IN_HAND) to write without queueing for long;
  // the first ones stay open through quiet spells, so a run started then is claimed at once.
  const { db } = createDb(url, { max: 16, min: KEEP_WARM_CONNECTIONS });
  setDb(db);
  // Started while the database is down (restarting, not up yet): wait for it rather than exit.
  await waitForDatabase({ db, log });
  await migrateToLatest({ db, log });

  holdAtFaultPointFromEnv(log);
  const boss = await getQueue({ role: 'worker' });
  // The jobs pg-boss shows active because this worker holds them: named with the heartbeat, so
  // the reaper tells them from jobs whose worker died before claiming (staleFetchedJobRuns).
  const fetchedJobs = new FetchedJobs();
  const heartbeat = startHeartbeat({ presence: await registerWorker({ db }), fetchedJobs, log });
  // Every line from here on names this worker; a run's lines also name the run, its tenant and step.
  const workerLogger = logger.child({ workerId: heartbeat.id });
  log = (line) => workerLogger.info(line);
  const leases = new LeaseKeeper(db, heartbeat.id, log);
  // Pause and cancel requests reach the run in hand within milliseconds, not at the next renewal.
  const control = new RunControlListener(url, {
    onRun: (runId) => leases.refresh(runId),
    onResync: () => leases.refresh(),
    log,
  });
  await control.start();

  // Several runs per fetch, each advanced through many steps inside its job; a full batch
  // fetches again at once (burst) instead of waiting out the polling interval. A job is let
  // go once its run is claimed (the lease keeps the run safe from then on), so a slow run
  // never holds its batch or its fetch loop; RunsInHand bounds how many runs are in hand.
  // pg-boss sends no NOTIFY for a job due later (a delay, a retry's backoff, a timeout), and
  // with NOTIFY on it polls only every 30 s unless told otherwise: timers would fire up to 30 s late.
  const inHand = new RunsInHand(RUNS_IN_HAND);
  /** The last fetch came back full: the fetch loops are working off a backlog (see takeAnnouncedRuns). */
  let fetchBacklogged = false;
  const advanceLogged = (runId: string, options: { onClaimed: () => void; cancel?: boolean; jobId?: string }) => {
    return advanceRun({ db, runId, workerId: heartbeat.id, leases, logger: workerLogger, ...options }).catch(
      (error: unknown) => {
        // The run stays as it was last written; its lease expires and the reaper re-sends it.
        // An error after the claim was already written with the run's tenant bound.
        if (!isReportedRunError(error))
          workerLogger.error({ runId, err: error }, `run ${runId}: ${errorMessage(error)}`);
      },
    );
  };
  const fetchLoops = await boss.work(
    ADVANCE_QUEUE,
    {
      batchSize: FETCH_BATCH,
      localConcurrency: WORKER_FETCH_LOOPS,
      burstWhenBatchFull: true,
      pollingIntervalSeconds: 2,
      notifyPollingIntervalSeconds: 2,
    },
    async (jobs) => {
      fetchBacklogged = jobs.length >= FETCH_BATCH;
      const advances = jobs.map((job) => ZAdvanceJob.parse(job.data));
      for (const { runId } of advances) await faultPoint('worker.afterFetch', { runId });
      const jobIds = jobs.map((job) => job.id);
      fetchedJobs.add(jobIds);
      try {
        await Promise.all(
          advances.map(async ({ runId, cancel }) => {
            const taken = await inHand.take((onClaimed) => advanceLogged(runId, { onClaimed, cancel }));
            // Stopping: the run was never claimed here, so its job goes back to the queue for another worker.
            if (!taken) await enqueueAdvance({ db, runId, cancel });
          }),
        );
      } finally {
        fetchedJobs.remove(jobIds);
      }
    },
  );
  // New runs are named in a notice as they are written: a worker with a free slot takes the job
  // and claims the run in one statement, without waiting for pg-boss's fetch (start latency).
  const wakeFetch = () => boss.notifyWorker(fetchLoops);
  const ready = new RunReadyListener(url, {
    onJobs: (jobs) =>
      takeAnnouncedRuns({
        jobs,
        inHand,
        capacity: RUNS_IN_HAND,
        wakeFetch,
        fetchBacklogged,
        advance: (job, onClaimed) => advanceLogged(job.runId, { onClaimed, jobId: job.jobId }),
      }),
    onResync: wakeFetch,
    log,
  });
  await ready.start();
  await startScheduleTriggers({ db, boss, log });
  await startTaskTimers({ db, boss, log });
  const reaper = setInterval(() => {
    reapStalledRuns({ db }).catch((error: Error) => log(`reaper: ${error.message}`));
  }, REAP_INTERVAL_MS);
  const stopOperations = startOperations({ db, log });
  log(`ready (${heartbeat.id})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing current work and stopping`);
    clearInterval(reaper);
    stopOperations();
    // Stop taking jobs and let the runs in hand reach their next write; what is not finished
    // is handed back by its lease running out.
    // Jobs still waiting for a slot are handed back while the queue can still take them.
    inHand.close();
    await ready.close().catch((error: Error) => log(`run ready: ${error.message}`));
    await boss.offWork(ADVANCE_QUEUE, { wait: true }).catch((error: Error) => log(`queue stop: ${error.message}`));
    const left = await inHand.drain(20_000);
    if (left > 0) log(`${left} run(s) still in hand; their leases run out and another worker goes on`);
    await boss.stop({ graceful: true, timeout: 20_000 }).catch((error: Error) => log(`queue stop: ${error.message}`));
    await control.close().catch((error: Error) => log(`run control: ${error.message}`));
    await heartbeat.stop().catch((error: Error) => log(`could not mark the worker stopped: ${error.message}`));
    await closeExpressionPool();
    await closeCodePool();
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
