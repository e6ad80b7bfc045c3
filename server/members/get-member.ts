import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { AppError } from '@/model/errors';
import { ZEmail, type TMemberRecord } from '@/server/members/member-record';

/** A member of the caller's tenant by email (the API's handle for people), or NOT_FOUND. */
export async function getMember({
  db,
  ctx,
  email,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  email: string;
}): Promise<TMemberRecord> {
  const parsed = ZEmail.safeParse(email);
  const row = !parsed.success
    ? undefined
    : await db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select(['users.id', 'users.email', 'users.name', 'memberships.role', 'memberships.created_at'])
        .where('memberships.tenant_id', '=', ctx.tenantId)
        .where('users.email', '=', parsed.data)
        .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `${email} is not a member of this tenant.`);
  return { userId: row.id, email: row.email, name: row.name, role: row.role, joinedAt: row.created_at.toISOString() };
}
