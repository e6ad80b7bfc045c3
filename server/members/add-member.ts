import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { ZRole } from '@/model/roles';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { generatePassword, hashPassword } from '@/server/auth/password';
import { ZEmail } from '@/server/members/member-record';

export const ZAddMember = z.object({
  email: ZEmail,
  name: z.string().trim().max(100).optional(),
  role: ZRole,
});
export type TAddMember = z.infer<typeof ZAddMember>;

/**
 * Adds a person to the caller's tenant. Someone new gets an account with a one-time
 * password, returned here once for the admin to pass on (there is no mail yet: SMTP arrives
 * with the email action); someone who already has an account keeps their password.
 */
export async function addMember({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TAddMember;
}): Promise<{ userId: string; initialPassword: string | null }> {
  const initialPassword = generatePassword();
  const passwordHash = await hashPassword(initialPassword);
  return db.transaction().execute(async (tx) => {
    let user = await tx.selectFrom('users').select(['id']).where('email', '=', input.email).executeTakeFirst();
    let newAccount = false;
    if (!user) {
      const createdUser = await tx
        .insertInto('users')
        .values({ email: input.email, name: input.name || input.email.split('@')[0]!, password_hash: passwordHash })
        // Someone may be adding the same new person right now (here or in another tenant):
        // their account wins and this becomes an add of an existing account, not a 500.
        .onConflict((oc) => oc.column('email').doNothing())
        .returning(['id'])
        .executeTakeFirst();
      newAccount = createdUser !== undefined;
      user =
        createdUser ??
        (await tx.selectFrom('users').select(['id']).where('email', '=', input.email).executeTakeFirstOrThrow());
    }
    const inserted = await tx
      .insertInto('memberships')
      .values({ tenant_id: ctx.tenantId, user_id: user.id, role: input.role })
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    if (!inserted) throw new AppError('CONFLICT', `${input.email} is already a member of this tenant.`);
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'member.added',
        targetType: 'user',
        targetId: user.id,
        data: { email: input.email, role: input.role, newAccount },
      },
    });
    return { userId: user.id, initialPassword: newAccount ? initialPassword : null };
  });
}
