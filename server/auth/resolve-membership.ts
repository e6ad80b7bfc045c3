import 'server-only';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';

/**
 * The context of a signed-in person: the tenant they chose (by slug) if they are still a
 * member of it, else the first tenant they belong to. Roles are read on every request, so a
 * changed role or a removed membership takes effect at once, not at the session's expiry; so
 * is the session version, so a session ended by a sign-out or a password change finds nothing.
 */
export async function resolveMembership({
  db,
  userId,
  sessionVersion,
  tenantSlug,
}: {
  db: Db;
  userId: string;
  /** The version the session was issued under; null when it carries none (a token from before versions). */
  sessionVersion: number | null;
  tenantSlug?: string | null;
}): Promise<TAuthContext | null> {
  if (sessionVersion === null) return null;
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('tenants', 'tenants.id', 'memberships.tenant_id')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select([
      'tenants.id as tenantId',
      'tenants.slug',
      'tenants.name as tenantName',
      'memberships.role',
      'users.email',
      'users.name',
    ])
    .where('memberships.user_id', '=', userId)
    .where('users.session_version', '=', sessionVersion)
    .orderBy('memberships.created_at')
    .execute();
  const chosen = rows.find((row) => row.slug === tenantSlug) ?? rows[0];
  if (!chosen) return null;
  return {
    tenantId: chosen.tenantId,
    tenantSlug: chosen.slug,
    tenantName: chosen.tenantName,
    role: chosen.role,
    actor: { type: 'user', userId, email: chosen.email, name: chosen.name },
  };
}
