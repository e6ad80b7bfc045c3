import { z } from 'zod';
import { ReconnectingListener } from '@/server/db/reconnecting-listener';
import { RUN_READY_CHANNEL } from '@/server/runtime/queue/run-queue';
import type { RunsInHand } from '@/worker/runs-in-hand';

export type TAnnouncedJob = { jobId: string; runId: string };

const ZUuid = z.string().uuid();

/** The jobs a RUN_READY_CHANNEL notice names (`<jobId>:<runId>,…`); anything malformed is left to pg-boss's fetch. */
export function parseReadyNotice(payload: string | undefined): TAnnouncedJob[] {
  const jobs: TAnnouncedJob[] = [];
  for (const entry of (payload ?? '').split(',')) {
    const [jobId, runId] = entry.split(':');
    if (ZUuid.safeParse(jobId).success && ZUuid.safeParse(runId).success) jobs.push({ jobId: jobId!, runId: runId! });
  }
  return jobs;
}

/**
 * Starts the announced runs this worker has room for, each claimed together with its job
 * (`advance(job, onClaimed)`); the rest stay queued and `wakeFetch` asks pg-boss's fetch loops
 * to take them as slots free. Several workers hear every notice: each starts from a random
 * place in the list, so they take different jobs instead of queueing for the same ones. While
 * the fetch loops are working off a backlog (their last fetch came back full), they take the
 * new jobs too: a direct take would only race them for the same rows.
 */
export function takeAnnouncedRuns({
  jobs,
  inHand,
  capacity,
  advance,
  wakeFetch,
  fetchBacklogged = false,
  random = Math.random,
}: {
  jobs: readonly TAnnouncedJob[];
  inHand: RunsInHand;
  capacity: number;
  advance: (job: TAnnouncedJob, onClaimed: () => void) => Promise<void>;
  wakeFetch: () => void;
  fetchBacklogged?: boolean;
  random?: () => number;
}): number {
  if (jobs.length === 0) return 0;
  if (fetchBacklogged) {
    wakeFetch();
    return 0;
  }
  const free = Math.max(0, capacity - inHand.size);
  const first = Math.floor(random() * jobs.length);
  const ordered = [...jobs.slice(first), ...jobs.slice(0, first)];
  const taking = ordered.slice(0, free);
  // take() starts the run synchronously while a slot is free, so inHand.size is current for the next notice.
  for (const job of taking) void inHand.take((onClaimed) => advance(job, onClaimed));
  if (taking.length < jobs.length) wakeFetch();
  return taking.length;
}

/**
 * The worker's LISTEN connection on RUN_READY_CHANNEL (a dedicated pg.Client). Each notice's
 * jobs go to `onJobs`; after a lost connection comes back, `onResync` is called (notices may
 * have been missed: pg-boss's fetch loops then look for them). Reconnects back off like the
 * run-control listener's. pg-boss's polling stays the backstop while the connection is down.
 */
export class RunReadyListener {
  private readonly listener: ReconnectingListener;

  constructor(
    connectionString: string,
    handlers: { onJobs: (jobs: TAnnouncedJob[]) => void; onResync: () => void; log: (line: string) => void },
  ) {
    this.listener = new ReconnectingListener({
      connectionString,
      channel: RUN_READY_CHANNEL,
      applicationName: 'pipewright-run-ready',
      name: 'run ready',
      onNotice: (payload) => handlers.onJobs(parseReadyNotice(payload)),
      onResync: handlers.onResync,
      log: handlers.log,
    });
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  close(): Promise<void> {
    return this.listener.close();
  }
}
