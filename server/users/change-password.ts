import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { hashPassword, verifyPassword } from '@/server/auth/password';

export const ZChangePassword = z.object({
  currentPassword: z.string().min(1, 'enter your current password'),
  newPassword: z.string().min(10, 'use at least 10 characters').max(200),
});

/**
 * Changes the signed-in person's own password after checking the current one, and ends every
 * session they have (a password is changed because it may be known to someone else, who may
 * be signed in with it). Returns the new session version: the caller re-issues the session
 * that asked for the change under it, so the person who changed it stays signed in here.
 */
export async function changePassword({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: z.infer<typeof ZChangePassword>;
}): Promise<{ sessionVersion: number }> {
  if (ctx.actor.type !== 'user') throw new AppError('FORBIDDEN', 'Only a person has a password.');
  const userId = ctx.actor.userId;
  const user = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
  if (!user) throw new AppError('NOT_FOUND', 'No such user.');
  if (!(await verifyPassword(input.currentPassword, user.password_hash))) {
    throw new AppError('VALIDATION', 'currentPassword: that is not your current password', [
      { path: 'currentPassword', message: 'that is not your current password' },
    ]);
  }
  const hash = await hashPassword(input.newPassword);
  return db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable('users')
      .set({ password_hash: hash, session_version: sql`session_version + 1`, updated_at: sql`now()` })
      .where('id', '=', userId)
      .returning('session_version')
      .executeTakeFirstOrThrow();
    await recordAudit({
      db: tx,
      ctx,
      entry: { action: 'user.password_changed', targetType: 'user', targetId: userId },
    });
    return { sessionVersion: updated.session_version };
  });
}
