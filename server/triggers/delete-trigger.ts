import 'server-only';
import { z } from 'zod';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import type { Db } from '@/server/db/database';
import { syncTriggerSchedule } from '@/server/triggers/sync-trigger-schedules';
import { findTrigger } from '@/server/triggers/trigger-record';

export const ZDeleteTrigger = z.object({ id: z.string() });
export type TDeleteTrigger = z.infer<typeof ZDeleteTrigger>;

/** Deletes a trigger (its webhook URL stops working at once); the runs it started stay. */
export async function deleteTrigger({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TDeleteTrigger;
}): Promise<void> {
  assertAllowed(ctx, 'workflow.write');
  const { id } = ZDeleteTrigger.parse(input);
  const trigger = await findTrigger({ db, tenantId: ctx.tenantId, id });
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('triggers').where('tenant_id', '=', ctx.tenantId).where('id', '=', id).execute();
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'trigger.deleted',
        targetType: 'trigger',
        targetId: id,
        data: { workflowKey: trigger.workflow_key, type: trigger.type },
      },
    });
  });
  if (trigger.type === 'schedule') await syncTriggerSchedule({ db, triggerId: id });
}
