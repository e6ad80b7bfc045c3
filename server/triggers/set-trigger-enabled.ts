import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import type { Db } from '@/server/db/database';
import { syncTriggerSchedule } from '@/server/triggers/sync-trigger-schedules';
import { findTrigger, toTriggerRecord, type TTriggerRecord } from '@/server/triggers/trigger-record';

export const ZSetTriggerEnabledBody = z.object({ enabled: z.boolean() });
export const ZSetTriggerEnabled = ZSetTriggerEnabledBody.extend({ id: z.string() });
export type TSetTriggerEnabled = z.infer<typeof ZSetTriggerEnabled>;

/**
 * Turns a trigger on or off. A disabled webhook answers 404 like an unknown one, a disabled
 * schedule is taken off pg-boss, a disabled event trigger matches nothing. Enabling a schedule
 * starts counting slots from now: slots passed while it was off are not fired.
 */
export async function setTriggerEnabled({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TSetTriggerEnabled;
}): Promise<TTriggerRecord> {
  assertAllowed(ctx, 'workflow.write');
  const { id, enabled } = ZSetTriggerEnabled.parse(input);
  const trigger = await findTrigger({ db, tenantId: ctx.tenantId, id });
  if (trigger.enabled !== enabled) {
    await db.transaction().execute(async (tx) => {
      await tx
        .updateTable('triggers')
        .set({ enabled, updated_at: sql`now()`, ...(enabled ? { last_slot: null } : {}) })
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', id)
        .execute();
      await recordAudit({
        db: tx,
        ctx,
        entry: {
          action: enabled ? 'trigger.enabled' : 'trigger.disabled',
          targetType: 'trigger',
          targetId: id,
          data: { workflowKey: trigger.workflow_key, type: trigger.type },
        },
      });
    });
    if (trigger.type === 'schedule') await syncTriggerSchedule({ db, triggerId: id });
  }
  return toTriggerRecord(await findTrigger({ db, tenantId: ctx.tenantId, id }), ctx);
}
