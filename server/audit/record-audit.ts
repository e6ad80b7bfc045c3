import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import { actorId, actorLabel, type TAuthContext } from '@/server/auth/context';

export type TAuditRecord = {
  action: string;
  targetType: string;
  targetId?: string | null;
  data?: Record<string, unknown>;
};

/**
 * Appends one entry to the tenant's audit log. Call it inside the transaction of the change
 * it describes, so a change and its record are stored together or not at all. Never put a
 * secret value in `data`.
 */
export async function recordAudit({
  db,
  ctx,
  entry,
}: {
  db: DbOrTx;
  ctx: Pick<TAuthContext, 'tenantId' | 'actor'>;
  entry: TAuditRecord;
}): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      tenant_id: ctx.tenantId,
      actor_type: ctx.actor.type,
      actor_id: actorId(ctx.actor),
      actor_label: actorLabel(ctx.actor),
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId ?? null,
      data: JSON.stringify(entry.data ?? {}),
    })
    .execute();
}
