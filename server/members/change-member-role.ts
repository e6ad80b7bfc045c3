import 'server-only';
import { z } from 'zod';
import type { Db, Tx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { ZRole } from '@/model/roles';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { forgetCachedTokens } from '@/server/tokens/token-cache';

export const ZChangeMemberRole = z.object({ userId: z.string().uuid('not a member id'), role: ZRole });

/**
 * Serializes membership changes within one tenant. Each change locks its own membership row
 * and then the tenant's admin rows; without this, two admins demoting each other lock in
 * opposite orders and one dies of a deadlock (a 500) instead of getting the CONFLICT below.
 * NO KEY UPDATE leaves inserts that merely reference the tenant (tokens, audit) unblocked.
 */
export async function lockTenantMemberships({ tx, tenantId }: { tx: Tx; tenantId: string }): Promise<void> {
  await tx.selectFrom('tenants').select('id').where('id', '=', tenantId).forNoKeyUpdate().execute();
}

/** Refuses a change that would leave the tenant with no admin, which nobody could undo. */
export async function assertAnotherAdminRemains({
  tx,
  tenantId,
  userId,
}: {
  tx: Tx;
  tenantId: string;
  userId: string;
}): Promise<void> {
  // Lock the tenant's admin rows so two concurrent demotions cannot both pass this check.
  const admins = await tx
    .selectFrom('memberships')
    .select('user_id')
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'admin')
    .forUpdate()
    .execute();
  if (admins.length <= 1 && admins.some((a) => a.user_id === userId)) {
    throw new AppError('CONFLICT', 'This is the last admin of the tenant; make someone else admin first.');
  }
}

/** Changes a member's role in the caller's tenant. */
export async function changeMemberRole({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: z.infer<typeof ZChangeMemberRole>;
}): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await lockTenantMemberships({ tx, tenantId: ctx.tenantId });
    const current = await tx
      .selectFrom('memberships')
      .select('role')
      .where('tenant_id', '=', ctx.tenantId)
      .where('user_id', '=', input.userId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new AppError('NOT_FOUND', 'No such member.');
    if (current.role === input.role) return;
    if (current.role === 'admin') await assertAnotherAdminRemains({ tx, tenantId: ctx.tenantId, userId: input.userId });
    await tx
      .updateTable('memberships')
      .set({ role: input.role })
      .where('tenant_id', '=', ctx.tenantId)
      .where('user_id', '=', input.userId)
      .execute();
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'member.role_changed',
        targetType: 'user',
        targetId: input.userId,
        data: { from: current.role, to: input.role },
      },
    });
  });
  forgetCachedTokens(); // this process at once; others on the NOTIFY the change's trigger sent
}
