import 'server-only';
import { z } from 'zod';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import type { Db } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { ZScheduleTriggerConfig } from '@/model/definition/trigger-config';
import { startTriggeredRun } from '@/server/triggers/start-triggered-run';
import { findTrigger } from '@/server/triggers/trigger-record';

export const ZFireTriggerNow = z.object({ id: z.string() });
export const ZFireTriggerNowAnswer = z.object({ runId: z.string() });

/**
 * "Fire now" on a schedule: starts one run at once with the schedule's input, as a tick would,
 * but outside the slot bookkeeping (the next slot still fires). Recorded as a firing of the
 * trigger and in the audit log under the person who clicked. A run the workflow refuses (its
 * input no longer matches the parameter schema, nothing published) is recorded as a rejected
 * firing and answered as that error.
 */
export async function fireTriggerNow({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: z.infer<typeof ZFireTriggerNow>;
}): Promise<z.infer<typeof ZFireTriggerNowAnswer>> {
  assertAllowed(ctx, 'workflow.write');
  assertAllowed(ctx, 'run.start');
  const { id } = ZFireTriggerNow.parse(input);
  const trigger = await findTrigger({ db, tenantId: ctx.tenantId, id });
  if (trigger.type !== 'schedule')
    throw new AppError('CONFLICT', `Only a schedule can be fired now; this is a ${trigger.type} trigger.`);
  const config = ZScheduleTriggerConfig.parse(trigger.config);
  const result = await db.transaction().execute(async (tx) => {
    const started = await startTriggeredRun({ tx, trigger, input: config.input ?? {}, actor: ctx.actor });
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'trigger.fired_now',
        targetType: 'trigger',
        targetId: id,
        data: {
          workflowKey: trigger.workflow_key,
          type: trigger.type,
          outcome: started.outcome,
          ...('runId' in started ? { runId: started.runId } : { message: started.error.message }),
        },
      },
    });
    return started;
  });
  if ('error' in result) throw result.error;
  return { runId: result.runId };
}
