import 'server-only';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import type { TRole } from '@/model/roles';
import { listMyTenants } from '@/server/tenants/list-my-tenants';

export type TCallerTenant = { id: string; slug: string; name: string; role: TRole; current: boolean };

/**
 * The tenants of the person behind the request (a token's owner), each with that person's role
 * there, and which one the request acts in. A token without an owner sees only its own tenant.
 */
export async function listCallerTenants({ db, ctx }: { db: Db; ctx: TAuthContext }): Promise<TCallerTenant[]> {
  const userId = ctx.actor.type === 'user' || ctx.actor.type === 'token' ? ctx.actor.userId : null;
  if (!userId) return [{ id: ctx.tenantId, slug: ctx.tenantSlug, name: ctx.tenantName, role: ctx.role, current: true }];
  const tenants = await listMyTenants({ db, userId });
  return tenants.map((tenant) => ({ ...tenant, current: tenant.id === ctx.tenantId }));
}
