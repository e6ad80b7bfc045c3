import 'server-only';
import type pg from 'pg';
import { listenReconnectDelayMs, openListenClient } from '@/server/db/open-listen-client';
import { AppError } from '@/model/errors';
import { RUN_EVENTS_CHANNEL } from '@/server/runtime/interpreter/run-writer';
import { ZRunStatus, type TRunStatus } from '@/model/run-status';

/**
 * What a subscriber hears: a commit added events up to `seq` and left the run in `status`;
 * or `resync` after the connection was lost and back, when notices may have been missed and
 * the subscriber should read the database again.
 */
export type TRunNotice = { kind: 'event'; runId: string; seq: number; status: TRunStatus } | { kind: 'resync' };
type TSubscriber = (notice: TRunNotice) => void;

/** Parses the NOTIFY payload `<runId>:<lastSeq>:<status>` that RunWriter and the lifecycle functions send. */
export function parseRunNotice(payload: string | undefined): Extract<TRunNotice, { kind: 'event' }> | null {
  const [runId, seq, status] = (payload ?? '').split(':');
  const parsed = ZRunStatus.safeParse(status);
  if (!runId || !parsed.success || !Number.isInteger(Number(seq))) return null;
  return { kind: 'event', runId, seq: Number(seq), status: parsed.data };
}

/**
 * One LISTEN connection per process for every live viewer and sync start: a dedicated
 * pg.Client (a pooled one would be handed to other queries), with notices fanned out by
 * run id. Lost connections are re-established while anyone is subscribed (backing off while
 * the database stays away), and subscribers are told to re-read what they may have missed.
 */
export class RunEventListener {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly subscribers = new Map<string, Set<TSubscriber>>();
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempts = 0;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly log: (line: string) => void = (line) => console.error(`[run-events] ${line}`),
  ) {}

  /** Resolves once LISTEN is active, so a read made after it cannot miss a later commit. Returns the unsubscribe. */
  async subscribe(runId: string, subscriber: TSubscriber): Promise<() => void> {
    let set = this.subscribers.get(runId);
    if (!set) this.subscribers.set(runId, (set = new Set()));
    set.add(subscriber);
    const unsubscribe = () => {
      const current = this.subscribers.get(runId);
      current?.delete(subscriber);
      if (current?.size === 0) this.subscribers.delete(runId);
    };
    try {
      await this.connect();
    } catch (error) {
      unsubscribe();
      throw error;
    }
    return unsubscribe;
  }

  get subscriberCount(): number {
    let count = 0;
    for (const set of this.subscribers.values()) count += set.size;
    return count;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    this.connecting = null;
    if (client) await client.end();
  }

  private connect(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new AppError('INTERNAL', 'The run event listener is closed.'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = await openListenClient({
        connectionString: this.connectionString,
        channel: RUN_EVENTS_CHANNEL,
        applicationName: 'pipewright-run-events',
        onNotice: (payload) => {
          const notice = parseRunNotice(payload);
          if (notice) this.dispatch(notice.runId, notice);
        },
        onLost: (lostClient, error) => this.lost(lostClient, error),
      }).catch((error: unknown) => {
        this.connecting = null;
        throw error;
      });
      this.client = client;
      this.connecting = null;
      this.reconnectAttempts = 0;
      return client;
    })();
    return this.connecting;
  }

  private dispatch(runId: string, notice: TRunNotice): void {
    for (const subscriber of [...(this.subscribers.get(runId) ?? [])]) subscriber(notice);
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.closed) return;
    this.log(`connection lost${error ? `: ${error.message}` : ''}`);
    // The socket is gone already; end() only releases the client, and its failure says nothing new.
    client.end().catch((endError: Error) => this.log(`closing the lost connection: ${endError.message}`));
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    // With nobody subscribed there is nothing to keep up; the next subscribe connects.
    if (this.reconnectTimer || this.closed || this.subscribers.size === 0) return;
    const delay = listenReconnectDelayMs(this.reconnectAttempts++);
    this.log(`reconnecting in ${delay / 1000} s`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().then(
        () => {
          this.log('reconnected');
          for (const runId of [...this.subscribers.keys()]) this.dispatch(runId, { kind: 'resync' });
        },
        (error: unknown) => {
          this.log(`reconnect failed: ${(error as Error).message}`);
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.reconnectTimer.unref();
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
