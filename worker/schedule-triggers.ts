import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import { fireScheduleTrigger } from '@/server/triggers/fire-schedule-trigger';
import { reconcileTriggerSchedules, TRIGGER_SCHEDULE_QUEUE } from '@/server/triggers/sync-trigger-schedules';

const ZScheduleTick = z.object({ triggerId: z.string().uuid() });

/**
 * Schedule triggers in the worker: pg-boss's cron pass (run by whichever worker holds its claim)
 * sends a tick per occurrence; any worker takes it and fires the slot that is due. Schedules are
 * reconciled with the triggers table on start.
 */
export async function startScheduleTriggers({
  db,
  boss,
  log,
}: {
  db: Db;
  boss: PgBoss;
  log: (line: string) => void;
}): Promise<void> {
  const { scheduled, removed } = await reconcileTriggerSchedules({ db, boss });
  log(`schedule triggers: ${scheduled} scheduled${removed ? `, ${removed} stale schedules removed` : ''}`);
  await boss.work(TRIGGER_SCHEDULE_QUEUE, { batchSize: 4, pollingIntervalSeconds: 2 }, async (jobs) => {
    for (const job of jobs) {
      const { triggerId } = ZScheduleTick.parse(job.data);
      const tick = await fireScheduleTrigger({ db, triggerId }).catch((error: unknown) => {
        // The tick is not retried; the next one fires the slot this one missed.
        log(`schedule trigger ${triggerId}: ${error instanceof Error ? error.message : String(error)}`);
        return null;
      });
      if (tick?.status === 'fired')
        log(`schedule trigger ${triggerId}: slot ${tick.slot.toISOString()} → ${tick.result.outcome}`);
      if (tick?.status === 'gone' || tick?.status === 'disabled')
        await boss.unschedule(TRIGGER_SCHEDULE_QUEUE, triggerId);
    }
  });
}
