import type { TWorkerPresence } from '@/server/workers/worker-presence';
import type { FetchedJobs } from '@/worker/fetched-jobs';

export const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * Keeps a registered worker's heartbeat fresh until stopped, with the jobs it fetched and still
 * holds (FetchedJobs: also written at once when one is held long); the presence calls own the SQL.
 */
export function startHeartbeat({
  presence,
  fetchedJobs,
  log,
}: {
  presence: TWorkerPresence;
  fetchedJobs: FetchedJobs;
  log: (line: string) => void;
}): {
  id: string;
  stop: () => Promise<void>;
} {
  let beating: Promise<unknown> = Promise.resolve();
  let inFlight = false;
  const beat = () => {
    // A beat still on its way (a loaded database) is not queued behind: the next one says the same.
    if (inFlight) return;
    inFlight = true;
    beating = presence
      .beat({ fetchedJobs: fetchedJobs.ids() })
      .catch((error: Error) => log(`heartbeat failed: ${error.message}`))
      .finally(() => (inFlight = false));
  };
  const timer = setInterval(beat, HEARTBEAT_INTERVAL_MS);
  fetchedJobs.onLongHeld(beat);
  return {
    id: presence.id,
    stop: async () => {
      clearInterval(timer);
      fetchedJobs.onLongHeld(() => {});
      await beating;
      await presence.stopped();
    },
  };
}
