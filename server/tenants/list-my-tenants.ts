import 'server-only';
import type { Db } from '@/server/db/database';
import type { TRole } from '@/model/roles';

export type TTenantChoice = { id: string; slug: string; name: string; role: TRole };

/** The tenants a person belongs to, for the tenant switcher. */
export async function listMyTenants({ db, userId }: { db: Db; userId: string }): Promise<TTenantChoice[]> {
  return db
    .selectFrom('memberships')
    .innerJoin('tenants', 'tenants.id', 'memberships.tenant_id')
    .select(['tenants.id', 'tenants.slug', 'tenants.name', 'memberships.role'])
    .where('memberships.user_id', '=', userId)
    .orderBy('tenants.name')
    .execute();
}
