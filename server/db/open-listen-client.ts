import 'server-only';
import pg from 'pg';

/**
 * How long a LISTEN client waits before its `attempt`-th reconnect in a row (0-based): 1 s,
 * doubling to 30 s, so a database that stays down for minutes is not asked every second by
 * every process.
 */
export function listenReconnectDelayMs(attempt: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 5));
}

/**
 * Opens a dedicated pg.Client (a pooled one would be handed to other queries) that LISTENs on
 * `channel`, passing each payload on that channel to `onNotice` and reporting the connection's
 * end or failure to `onLost`. A client that fails to connect or LISTEN is closed before the
 * error is thrown. Reconnecting is the caller's decision.
 */
export async function openListenClient({
  connectionString,
  channel,
  applicationName,
  onNotice,
  onLost,
}: {
  connectionString: string;
  channel: string;
  applicationName: string;
  onNotice: (payload: string | undefined) => void;
  onLost: (client: pg.Client, error: Error | null) => void;
}): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: applicationName });
  client.on('notification', (message) => {
    if (message.channel === channel) onNotice(message.payload);
  });
  client.on('error', (error) => onLost(client, error));
  client.on('end', () => onLost(client, null));
  try {
    await client.connect();
    await client.query(`LISTEN ${channel}`);
  } catch (error) {
    await client
      .end()
      .catch((endError: unknown) =>
        console.error(`[${applicationName}] closing a failed connection:`, (endError as Error).message),
      );
    throw error;
  }
  return client;
}
