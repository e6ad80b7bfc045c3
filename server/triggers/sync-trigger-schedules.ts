import 'server-only';
import type { PgBoss } from 'pg-boss';
import type { DbOrTx } from '@/server/db/database';
import { getQueue } from '@/server/runtime/queue/run-queue';
import { ZScheduleTriggerConfig } from '@/model/definition/trigger-config';

/**
 * The pg-boss queue schedule triggers tick on. Each enabled schedule trigger is one pg-boss
 * schedule (key = trigger id, cron and time zone from its config); a tick only names the
 * trigger, and the handler decides which slot is due from the trigger row.
 */
export const TRIGGER_SCHEDULE_QUEUE = 'pipewright-trigger-schedule';

export async function ensureTriggerScheduleQueue(boss: PgBoss): Promise<void> {
  if (!(await boss.getQueue(TRIGGER_SCHEDULE_QUEUE))) {
    // A tick that fails is not retried by the queue: the next tick fires the slot it missed.
    await boss.createQueue(TRIGGER_SCHEDULE_QUEUE, { retryLimit: 0, expireInSeconds: 300, deleteAfterSeconds: 3600 });
  }
}

/**
 * Makes pg-boss's schedule for one trigger match the trigger row: scheduled while it exists,
 * is enabled and is a schedule; unscheduled otherwise. Called after the change committed (pg-boss
 * writes through its own connection); the worker reconciles every schedule on start, so a
 * process dying in between leaves nothing wrong for long.
 */
export async function syncTriggerSchedule({
  db,
  triggerId,
  boss,
}: {
  db: DbOrTx;
  triggerId: string;
  boss?: PgBoss;
}): Promise<void> {
  const queue = boss ?? (await getQueue());
  await ensureTriggerScheduleQueue(queue);
  const row = await db
    .selectFrom('triggers')
    .select(['type', 'enabled', 'config'])
    .where('id', '=', triggerId)
    .executeTakeFirst();
  if (!row || !row.enabled || row.type !== 'schedule') {
    await queue.unschedule(TRIGGER_SCHEDULE_QUEUE, triggerId);
    return;
  }
  const config = ZScheduleTriggerConfig.parse(row.config);
  // `missed: once`: after a stretch with no pg-boss pass (every worker down), one catch-up tick.
  await queue.schedule(
    TRIGGER_SCHEDULE_QUEUE,
    config.cron,
    { triggerId },
    { tz: config.timezone, key: triggerId, missed: 'once' },
  );
}

/** On worker start: every enabled schedule trigger scheduled, and no pg-boss schedule left for a trigger that is gone or disabled. */
export async function reconcileTriggerSchedules({
  db,
  boss,
}: {
  db: DbOrTx;
  boss: PgBoss;
}): Promise<{ scheduled: number; removed: number }> {
  await ensureTriggerScheduleQueue(boss);
  const wanted = await db
    .selectFrom('triggers')
    .select('id')
    .where('type', '=', 'schedule')
    .where('enabled', '=', true)
    .execute();
  const wantedIds = new Set(wanted.map((row) => row.id));
  let removed = 0;
  for (const schedule of await boss.getSchedules(TRIGGER_SCHEDULE_QUEUE)) {
    if (!wantedIds.has(schedule.key)) {
      await boss.unschedule(TRIGGER_SCHEDULE_QUEUE, schedule.key);
      removed += 1;
    }
  }
  for (const id of wantedIds) await syncTriggerSchedule({ db, triggerId: id, boss });
  return { scheduled: wantedIds.size, removed };
}
