import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import { isTerminal, type TRunStatus } from '@/model/run-status';
import { getRunEventListener } from '@/server/runs/run-event-listener';

/**
 * Waits up to `timeoutMs` for a run to reach a terminal status, woken by the run's NOTIFY
 * (never polling). Returns the status it last saw. Subscribes before reading, so a run that
 * finishes between the read and the wait is not missed.
 */
export async function waitForRunEnd({
  db,
  runId,
  timeoutMs,
}: {
  db: DbOrTx;
  runId: string;
  timeoutMs: number;
}): Promise<TRunStatus> {
  const read = async () =>
    (await db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow()).status;
  let wake: () => void = () => undefined;
  const unsubscribe = await getRunEventListener().subscribe(runId, (notice) => {
    if (notice.kind === 'resync' || isTerminal(notice.status)) wake();
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const status = await read();
      const left = deadline - Date.now();
      if (isTerminal(status) || left <= 0) return status;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    unsubscribe();
  }
}
