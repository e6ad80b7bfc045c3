import 'server-only';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import type { TMemberRecord } from '@/server/members/member-record';

/** The people in the caller's tenant, by name. */
export async function listMembers({ db, ctx }: { db: Db; ctx: TAuthContext }): Promise<TMemberRecord[]> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.email', 'users.name', 'memberships.role', 'memberships.created_at'])
    .where('memberships.tenant_id', '=', ctx.tenantId)
    .orderBy('users.name')
    .orderBy('users.email')
    .execute();
  return rows.map((row) => ({
    userId: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    joinedAt: row.created_at.toISOString(),
  }));
}
