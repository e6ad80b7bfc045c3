import 'server-only';
import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import { ReconnectingListener } from '@/server/db/reconnecting-listener';

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
  private readonly listener: ReconnectingListener;

  constructor(
    connectionString: string,
    handlers: { onRun: (runId: string) => void; onResync: () => void; log: (line: string) => void },
  ) {
    this.listener = new ReconnectingListener({
      connectionString,
      channel: RUN_CONTROL_CHANNEL,
      applicationName: 'pipewright-run-control',
      name: 'run control',
      onNotice: (payload) => {
        if (payload) handlers.onRun(payload);
      },
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
