import type { TWorkerPresence } from '@/server/workers/worker-presence';

export const HEARTBEAT_INTERVAL_MS = 5_000;

/** Keeps a registered worker's heartbeat fresh until stopped; the presence calls own the SQL. */
export function startHeartbeat({ presence, log }: { presence: TWorkerPresence; log: (line: string) => void }): {
  id: string;
  stop: () => Promise<void>;
} {
  let beating: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    beating = presence.beat().catch((error: Error) => log(`heartbeat failed: ${error.message}`));
  }, HEARTBEAT_INTERVAL_MS);
  return {
    id: presence.id,
    stop: async () => {
      clearInterval(timer);
      await beating;
      await presence.stopped();
    },
  };
}
