import 'server-only';
import { z } from 'zod';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import type { DbOrTx } from '@/server/db/database';
import { FIRING_OUTCOMES } from '@/server/triggers/trigger-record';

export const ZTriggerFiring = z.object({
  id: z.string(),
  triggerId: z.string(),
  firedAt: z.string(),
  outcome: z.enum(FIRING_OUTCOMES),
  runId: z.string().nullable(),
  /** The run's current status, when it still exists. */
  runStatus: z.string().nullable(),
  message: z.string().nullable(),
  slot: z.string().nullable(),
  eventId: z.string().nullable(),
});
export type TTriggerFiring = z.infer<typeof ZTriggerFiring>;

export const ZListTriggerFirings = z.object({
  triggerIds: z.array(z.string().uuid()).max(200),
  perTrigger: z.number().int().min(1).max(50).default(10),
});

/** The latest firings of some triggers of the caller's tenant, newest first per trigger, with the runs they started. */
export async function listTriggerFirings({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: z.input<typeof ZListTriggerFirings>;
}): Promise<Record<string, TTriggerFiring[]>> {
  assertAllowed(ctx, 'workflow.read');
  const { triggerIds, perTrigger } = ZListTriggerFirings.parse(input);
  const result: Record<string, TTriggerFiring[]> = Object.fromEntries(triggerIds.map((id) => [id, []]));
  if (triggerIds.length === 0) return result;
  const rows = await db
    .selectFrom('trigger_firings as f')
    .leftJoin('runs as r', 'r.id', 'f.run_id')
    .select([
      'f.id',
      'f.trigger_id',
      'f.fired_at',
      'f.outcome',
      'f.run_id',
      'r.status as run_status',
      'f.message',
      'f.slot',
      'f.event_id',
    ])
    .select((eb) =>
      eb.fn
        .agg<number>('row_number')
        .over((o) => o.partitionBy('f.trigger_id').orderBy('f.fired_at', 'desc'))
        .as('position'),
    )
    .where('f.tenant_id', '=', ctx.tenantId)
    .where('f.trigger_id', 'in', triggerIds)
    .execute();
  for (const row of rows
    .filter((r) => Number(r.position) <= perTrigger)
    .sort((a, b) => b.fired_at.getTime() - a.fired_at.getTime())) {
    result[row.trigger_id]?.push({
      id: row.id,
      triggerId: row.trigger_id,
      firedAt: row.fired_at.toISOString(),
      outcome: row.outcome,
      runId: row.run_id,
      runStatus: row.run_status ?? null,
      message: row.message,
      slot: row.slot?.toISOString() ?? null,
      eventId: row.event_id,
    });
  }
  return result;
}
