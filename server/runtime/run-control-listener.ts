import 'server-only';
import type pg from 'pg';
import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import { listenReconnectDelayMs, openListenClient } from '@/server/db/open-listen-client';

/**
 * NOTIFY channel on which pause and cancel requests for a held run are announced, so the
 * worker holding it reads them within milliseconds instead of at its next lease renewal
 * (every 2 s): "pause stops a run after its current step" (SPEC §5) must hold for steps
 * shorter than a heartbeat too.
 */
export const RUN_CONTROL_CHANNEL = 'pipewright_run_control';

/** Announces that a run's pause/cancel request changed; delivered when `tx` commits. */
export async function notifyRunControl(tx: Tx, runIds: string[]): Promise<void> {
  if (runIds.length === 0) return;
  await sql`SELECT pg_notify(${RUN_CONTROL_CHANNEL}, id::text) FROM unnest(${runIds}::uuid[]) AS id`.execute(tx);
}

/**
 * One LISTEN connection of the worker on RUN_CONTROL_CHANNEL (a dedicated pg.Client: a pooled
 * one would be handed to other queries). Each notice is passed to `onRun`; after a lost
 * connection comes back, `onResync` is called, since notices may have been missed meanwhile.
 * The lease renewal stays the backstop: a missed notice costs at most one heartbeat.
 * Reconnects back off (listenReconnectDelayMs) while the database stays away.
 */
export class RunControlListener {
  private client: pg.Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempts = 0;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly handlers: { onRun: (runId: string) => void; onResync: () => void; log: (line: string) => void },
  ) {}

  async start(): Promise<void> {
    this.client = await openListenClient({
      connectionString: this.connectionString,
      channel: RUN_CONTROL_CHANNEL,
      applicationName: 'pipewright-run-control',
      onNotice: (payload) => {
        if (payload) this.handlers.onRun(payload);
      },
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
    this.handlers.log(
      `run control: connection lost${error ? `: ${error.message}` : ''}; reconnecting in ${listenReconnectDelayMs(this.reconnectAttempts) / 1000} s`,
    );
    // The socket is gone already; end() only releases the client, and its failure says nothing new.
    client
      .end()
      .catch((endError: Error) => this.handlers.log(`run control: closing the lost connection: ${endError.message}`));
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.closed) return;
    const delay = listenReconnectDelayMs(this.reconnectAttempts++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.start().then(
        () => {
          this.handlers.log('run control: reconnected');
          this.handlers.onResync();
        },
        (error: unknown) => {
          this.handlers.log(
            `run control: reconnect failed: ${(error as Error).message}; trying again in ${listenReconnectDelayMs(this.reconnectAttempts) / 1000} s`,
          );
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.reconnectTimer.unref();
  }
}
