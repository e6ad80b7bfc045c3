import 'server-only';
import type pg from 'pg';
import { AppError } from '@/model/errors';
import { listenReconnectDelayMs, openListenClient } from '@/server/db/open-listen-client';
import { TASKS_CHANGED_CHANNEL } from '@/server/tasks/tasks-changed';

type TSubscriber = () => void;

/**
 * One LISTEN connection per process on `pipewright_tasks_changed`, fanned out by tenant: every
 * open inbox badge of the process shares it, so a thousand badges hold one connection, not a
 * thousand. A lost connection is re-established while anyone listens, and every subscriber is
 * then told to count again (notices may have been missed meanwhile).
 */
export class TasksChangedListener {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly subscribers = new Map<string, Set<TSubscriber>>();
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempts = 0;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly log: (line: string) => void = (line) => console.error(`[tasks-changed] ${line}`),
  ) {}

  /** Resolves once LISTEN is active (a count read after it misses no later change). Returns the unsubscribe. */
  async subscribe(tenantId: string, subscriber: TSubscriber): Promise<() => void> {
    let set = this.subscribers.get(tenantId);
    if (!set) this.subscribers.set(tenantId, (set = new Set()));
    set.add(subscriber);
    const unsubscribe = () => {
      const current = this.subscribers.get(tenantId);
      current?.delete(subscriber);
      if (current?.size === 0) this.subscribers.delete(tenantId);
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
    if (this.closed) return Promise.reject(new AppError('INTERNAL', 'The tasks listener is closed.'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = await openListenClient({
        connectionString: this.connectionString,
        channel: TASKS_CHANGED_CHANNEL,
        applicationName: 'pipewright-tasks-changed',
        onNotice: (tenantId) => {
          if (tenantId) this.dispatch(tenantId);
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

  private dispatch(tenantId: string): void {
    for (const subscriber of [...(this.subscribers.get(tenantId) ?? [])]) subscriber();
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.closed) return;
    this.log(`connection lost${error ? `: ${error.message}` : ''}`);
    client.end().catch((endError: Error) => this.log(`closing the lost connection: ${endError.message}`));
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.closed || this.subscribers.size === 0) return;
    const delay = listenReconnectDelayMs(this.reconnectAttempts++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().then(
        () => {
          this.log('reconnected');
          for (const tenantId of [...this.subscribers.keys()]) this.dispatch(tenantId);
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

const globalForListener = globalThis as unknown as { pipewrightTasksChanged?: TasksChangedListener };

/** The process's listener, on DATABASE_URL. */
export function getTasksChangedListener(): TasksChangedListener {
  if (!globalForListener.pipewrightTasksChanged) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new AppError('CONFIG', 'DATABASE_URL is not set.');
    globalForListener.pipewrightTasksChanged = new TasksChangedListener(url);
  }
  return globalForListener.pipewrightTasksChanged;
}

/** Stops the process's listener (tests, shutdown). */
export async function closeTasksChangedListener(): Promise<void> {
  const listener = globalForListener.pipewrightTasksChanged;
  globalForListener.pipewrightTasksChanged = undefined;
  await listener?.close();
}
