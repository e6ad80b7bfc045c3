import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { ZScheduleTriggerConfig } from '@/model/definition/trigger-config';
import { dueSlot } from '@/server/triggers/schedule-slots';
import { startTriggeredRun, type TTriggeredStart } from '@/server/triggers/start-triggered-run';
import { selectTriggerRows } from '@/server/triggers/trigger-record';

export type TScheduleTick =
  { status: 'fired'; slot: Date; result: TTriggeredStart } | { status: 'nothing-due' | 'gone' | 'disabled' };

/**
 * One pg-boss tick of a schedule trigger. The trigger row is locked, the newest slot in
 * (last_slot, now] is found (database time), and its run is started in the same transaction
 * that moves last_slot, with `schedule:<trigger>:<slot>` as the run's idempotency key. However
 * many workers receive ticks, and however early, late or doubled they arrive, each slot starts
 * at most one run.
 */
export async function fireScheduleTrigger({ db, triggerId }: { db: Db; triggerId: string }): Promise<TScheduleTick> {
  return db.transaction().execute(async (tx) => {
    const locked = await tx
      .selectFrom('triggers')
      .select(['tenant_id', 'enabled', 'type'])
      .where('id', '=', triggerId)
      .forUpdate()
      .executeTakeFirst();
    if (!locked || locked.type !== 'schedule') return { status: 'gone' };
    if (!locked.enabled) return { status: 'disabled' };
    const trigger = await selectTriggerRows(tx, locked.tenant_id)
      .where('t.id', '=', triggerId)
      .select('t.updated_at')
      .executeTakeFirstOrThrow();
    const config = ZScheduleTriggerConfig.parse(trigger.config);
    const { now } = await sql<{ now: Date }>`SELECT clock_timestamp() AS now`.execute(tx).then((r) => r.rows[0]!);
    // Never a slot from before the trigger was created or last enabled.
    const after = trigger.last_slot ?? trigger.updated_at;
    const slot = dueSlot({ cron: config.cron, timezone: config.timezone, after, now });
    if (!slot) return { status: 'nothing-due' };
    await tx.updateTable('triggers').set({ last_slot: slot }).where('id', '=', triggerId).execute();
    const result = await startTriggeredRun({
      tx,
      trigger,
      input: config.input ?? {},
      actor: { type: 'system', name: 'schedule trigger' },
      idempotencyKey: `schedule:${triggerId}:${slot.toISOString()}`,
      slot,
    });
    return { status: 'fired', slot, result };
  });
}
