import 'server-only';
import type pg from 'pg';
import { listenReconnectDelayMs, openListenClient } from '@/server/db/open-listen-client';

export type TReconnectingListenerOptions = {
  connectionString: string;
  channel: string;
  applicationName: string;
  /** Names the listener in its log lines ("run control: connection lost …"). */
  name: string;
  onNotice: (payload: string | undefined) => void;
  /** Called after a lost connection is back: notices may have been missed meanwhile. */
  onResync: () => void;
  log: (line: string) => void;
};

/**
 * One LISTEN connection on one channel (a dedicated pg.Client: a pooled one would be handed to
 * other queries) that comes back by itself: reconnects back off (listenReconnectDelayMs) while
 * the database stays away, and `onResync` runs once it is back.
 */
export class ReconnectingListener {
  private client: pg.Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempts = 0;
  private closed = false;

  constructor(private readonly options: TReconnectingListenerOptions) {}

  async start(): Promise<void> {
    this.client = await openListenClient({
      connectionString: this.options.connectionString,
      channel: this.options.channel,
      applicationName: this.options.applicationName,
      onNotice: this.options.onNotice,
      onLost: (client, error) => this.lost(client, error),
    });
    this.reconnectAttempts = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    if (client) await client.end();
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.closed) return;
    const { name, log } = this.options;
    const delaySeconds = listenReconnectDelayMs(this.reconnectAttempts) / 1000;
    log(`${name}: connection lost${error ? `: ${error.message}` : ''}; reconnecting in ${delaySeconds} s`);
    // The socket is gone already; end() only releases the client, and its failure says nothing new.
    client.end().catch((endError: Error) => log(`${name}: closing the lost connection: ${endError.message}`));
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.closed) return;
    const { name, log } = this.options;
    const delay = listenReconnectDelayMs(this.reconnectAttempts++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.start().then(
        () => {
          log(`${name}: reconnected`);
          this.options.onResync();
        },
        (error: unknown) => {
          const nextSeconds = listenReconnectDelayMs(this.reconnectAttempts) / 1000;
          log(`${name}: reconnect failed: ${(error as Error).message}; trying again in ${nextSeconds} s`);
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.reconnectTimer.unref();
  }
}
