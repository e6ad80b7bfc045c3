import pg from 'pg';
import { RUN_EVENTS_CHANNEL } from '@/server/runtime/interpreter/run-writer';

/** Follows the run-events NOTIFY channel, so a benchmark can await a run's status without polling. */
export async function followRuns(url: string) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', (error) => console.error(`${new Date().toISOString()} bench listener: ${error.message}`));
  await client.connect();
  await client.query(`LISTEN ${RUN_EVENTS_CHANNEL}`);
  const latest = new Map<string, { status: string; at: number }>();
  const waiters = new Map<string, { statuses: ReadonlySet<string>; resolve: (at: number) => void }>();
  client.on('notification', (message) => {
    const [runId = '', , status = ''] = (message.payload ?? '').split(':');
    const at = Date.now();
    latest.set(runId, { status, at });
    const waiter = waiters.get(runId);
    if (waiter?.statuses.has(status)) {
      waiters.delete(runId);
      waiter.resolve(at);
    }
  });
  return {
    /** Resolves with the wall-clock time the run was first seen in one of `statuses`. */
    until: (runId: string, statuses: ReadonlySet<string>) =>
      new Promise<number>((resolve) => {
        const seen = latest.get(runId);
        if (seen && statuses.has(seen.status)) resolve(seen.at);
        else waiters.set(runId, { statuses, resolve });
      }),
    close: () => client.end(),
  };
}
