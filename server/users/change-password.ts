import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/server/errors';
import { hashPassword, verifyPassword } from '@/server/auth/password';

export const ZChangePassword = z.object({
  currentPassword: z.string().min(1, 'enter your current password'),
  newPassword: z.string().min(10, 'use at least 10 characters').max(200),
});

/** Changes the signed-in person's own password after checking the current one. */
export async function changePassword({ db, ctx, input }: { db: Db; ctx: TAuthContext; input: z.infer<typeof ZChangePassword> }): Promise<void> {
  if (ctx.actor.type !== 'user') throw new AppError('FORBIDDEN', 'Only a person has a password.');
  const userId = ctx.actor.userId;
  const user = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
  if (!user) throw new AppError('NOT_FOUND', 'No such user.');
  if (!(await verifyPassword(input.currentPassword, user.password_hash))) {
    throw new AppError('VALIDATION', 'currentPassword: that is not your current password', [{ path: 'currentPassword', message: 'that is not your current password' }]);
  }
  const hash = await hashPassword(input.newPassword);
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('users').set({ password_hash: hash, updated_at: sql`now()` }).where('id', '=', userId).execute();
    await recordAudit({ db: tx, ctx, entry: { action: 'user.password_changed', targetType: 'user', targetId: userId } });
  });
}
