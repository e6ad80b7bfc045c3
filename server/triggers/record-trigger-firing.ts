import 'server-only';
import { sql } from 'kysely';
import type { DbOrTx } from '@/server/db/database';
import type { TFiringOutcome } from '@/server/triggers/trigger-record';

/** Firings kept per trigger: enough to see what happened lately, bounded however busy a webhook is. */
export const FIRINGS_KEPT = 200;

/**
 * Notes that a trigger fired (or was refused) and moves its `last_fired_at`. Rejections are kept
 * too, so a sender with a wrong signature can be told apart from one that never called.
 */
export async function recordTriggerFiring({
  db,
  tenantId,
  triggerId,
  outcome,
  runId = null,
  message = null,
  slot = null,
  eventId = null,
}: {
  db: DbOrTx;
  tenantId: string;
  triggerId: string;
  outcome: TFiringOutcome;
  runId?: string | null;
  message?: string | null;
  slot?: Date | null;
  eventId?: string | null;
}): Promise<void> {
  await db
    .insertInto('trigger_firings')
    .values({
      tenant_id: tenantId,
      trigger_id: triggerId,
      outcome,
      run_id: runId,
      message: message?.slice(0, 2000) ?? null,
      slot,
      event_id: eventId,
    })
    .execute();
  await db
    .updateTable('triggers')
    .set({ last_fired_at: sql`now()` })
    .where('id', '=', triggerId)
    .execute();
  await db
    .deleteFrom('trigger_firings')
    .where('trigger_id', '=', triggerId)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('trigger_firings')
        .select('id')
        .where('trigger_id', '=', triggerId)
        .orderBy('fired_at', 'desc')
        .offset(FIRINGS_KEPT),
    )
    .execute();
}
