import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { forgetCachedTokens } from '@/server/tokens/token-cache';
import { assertAnotherAdminRemains, lockTenantMemberships } from '@/server/members/change-member-role';

export const ZRemoveMember = z.object({ userId: z.string().uuid('not a member id') });

/**
 * Removes a member from the caller's tenant, revokes the API tokens they created there (a
 * token must not outlive the access of the person who made it) and ends their sessions, so
 * nothing they had open, in this tenant or another, goes on under what they could do before.
 */
export async function removeMember({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: z.infer<typeof ZRemoveMember>;
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
    if (current.role === 'admin') await assertAnotherAdminRemains({ tx, tenantId: ctx.tenantId, userId: input.userId });
    await tx
      .deleteFrom('memberships')
      .where('tenant_id', '=', ctx.tenantId)
      .where('user_id', '=', input.userId)
      .execute();
    const revoked = await tx
      .updateTable('api_tokens')
      .set({ revoked_at: sql`now()` })
      .where('tenant_id', '=', ctx.tenantId)
      .where('user_id', '=', input.userId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    await tx
      .updateTable('users')
      .set({ session_version: sql`session_version + 1` })
      .where('id', '=', input.userId)
      .execute();
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'member.removed',
        targetType: 'user',
        targetId: input.userId,
        data: { role: current.role, tokensRevoked: revoked.length },
      },
    });
  });
  forgetCachedTokens(); // this process at once; others on the NOTIFY the change's trigger sent
}
