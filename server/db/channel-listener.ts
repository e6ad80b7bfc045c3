import 'server-only';
import type pg from 'pg';
import { AppError } from '@/model/errors';
import { listenReconnectDelayMs, openListenClient } from '@/server/db/open-listen-client';

type TSubscriber<TNotice> = (notice: TNotice) => void;

export type TChannelListenerOptions<TNotice> = {
  connectionString: string;
  channel: string;
  /** `application_name` of the connection, so it can be told apart in pg_stat_activity. */
  applicationName: string;
  /** Whom a NOTIFY payload is for (the fan-out key) and what they hear; null drops it. */
  parse: (payload: string | undefined) => { key: string; notice: TNotice } | null;
  /** What a subscriber of `key` hears after the connection came back: notices may have been missed. */
  resync: (key: string) => TNotice;
  log: (line: string) => void;
};

/**
 * One LISTEN connection per process on one channel, fanned out by key (a run id, a tenant id):
 * a dedicated pg.Client (a pooled one would be handed to other queries), however many
 * subscribers share it. A lost connection is re-established while anyone is subscribed
 * (backing off while the database stays away), and every subscriber then hears `resync`.
 */
export class ChannelListener<TNotice> {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly subscribers = new Map<string, Set<TSubscriber<TNotice>>>();
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempts = 0;
  private closed = false;

  constructor(private readonly options: TChannelListenerOptions<TNotice>) {}

  /** Resolves once LISTEN is active, so a read made after it cannot miss a later notice. Returns the unsubscribe. */
  async subscribe(key: string, subscriber: TSubscriber<TNotice>): Promise<() => void> {
    let set = this.subscribers.get(key);
    if (!set) this.subscribers.set(key, (set = new Set()));
    set.add(subscriber);
    const unsubscribe = () => {
      const current = this.subscribers.get(key);
      current?.delete(subscriber);
      if (current?.size === 0) this.subscribers.delete(key);
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

  /** Whether the process holds its LISTEN connection (one, whatever the number of subscribers). */
  get connected(): boolean {
    return this.client !== null;
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
    if (this.closed) return Promise.reject(new AppError('INTERNAL', `The ${this.options.channel} listener is closed.`));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = await openListenClient({
        connectionString: this.options.connectionString,
        channel: this.options.channel,
        applicationName: this.options.applicationName,
        onNotice: (payload) => {
          const parsed = this.options.parse(payload);
          if (parsed) this.dispatch(parsed.key, parsed.notice);
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

  private dispatch(key: string, notice: TNotice): void {
    for (const subscriber of [...(this.subscribers.get(key) ?? [])]) subscriber(notice);
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.closed) return;
    this.options.log(`connection lost${error ? `: ${error.message}` : ''}`);
    // The socket is gone already; end() only releases the client, and its failure says nothing new.
    client.end().catch((endError: Error) => this.options.log(`closing the lost connection: ${endError.message}`));
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    // With nobody subscribed there is nothing to keep up; the next subscribe connects.
    if (this.reconnectTimer || this.closed || this.subscribers.size === 0) return;
    const delay = listenReconnectDelayMs(this.reconnectAttempts++);
    this.options.log(`reconnecting in ${delay / 1000} s`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().then(
        () => {
          this.options.log('reconnected');
          for (const key of [...this.subscribers.keys()]) this.dispatch(key, this.options.resync(key));
        },
        (error: unknown) => {
          this.options.log(`reconnect failed: ${(error as Error).message}`);
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.reconnectTimer.unref();
  }
}
