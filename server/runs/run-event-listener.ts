import 'server-only';
import { ChannelListener } from '@/server/db/channel-listener';
import { AppError } from '@/model/errors';
import { RUN_EVENTS_CHANNEL } from '@/server/runtime/interpreter/run-writer';
import { ZRunStatus, type TRunStatus } from '@/model/run-status';

/**
 * What a subscriber hears: a commit added events up to `seq` and left the run in `status`;
 * or `resync` after the connection was lost and back, when notices may have been missed and
 * the subscriber should read the database again.
 */
export type TRunNotice = { kind: 'event'; runId: string; seq: number; status: TRunStatus } | { kind: 'resync' };

/** Parses the NOTIFY payload `<runId>:<lastSeq>:<status>` that RunWriter and the lifecycle functions send. */
export function parseRunNotice(payload: string | undefined): Extract<TRunNotice, { kind: 'event' }> | null {
  const [runId, seq, status] = (payload ?? '').split(':');
  const parsed = ZRunStatus.safeParse(status);
  if (!runId || !parsed.success || !Number.isInteger(Number(seq))) return null;
  return { kind: 'event', runId, seq: Number(seq), status: parsed.data };
}

/**
 * One LISTEN connection per process for every live viewer and sync start, with notices fanned
 * out by run id; after a lost connection came back, each subscriber hears `resync` and re-reads
 * what it may have missed.
 */
export class RunEventListener extends ChannelListener<TRunNotice> {
  constructor(connectionString: string, log: (line: string) => void = (line) => console.error(`[run-events] ${line}`)) {
    super({
      connectionString,
      channel: RUN_EVENTS_CHANNEL,
      applicationName: 'pipewright-run-events',
      parse: (payload) => {
        const notice = parseRunNotice(payload);
        return notice ? { key: notice.runId, notice } : null;
      },
      resync: () => ({ kind: 'resync' }),
      log,
    });
  }
}

const globalForListener = globalThis as unknown as { pipewrightRunEvents?: RunEventListener };

/** The process's listener, on DATABASE_URL. */
export function getRunEventListener(): RunEventListener {
  if (!globalForListener.pipewrightRunEvents) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new AppError('CONFIG', 'DATABASE_URL is not set.');
    globalForListener.pipewrightRunEvents = new RunEventListener(url);
  }
  return globalForListener.pipewrightRunEvents;
}

/** Stops the process's listener (tests, shutdown). */
export async function closeRunEventListener(): Promise<void> {
  const listener = globalForListener.pipewrightRunEvents;
  globalForListener.pipewrightRunEvents = undefined;
  await listener?.close();
}
