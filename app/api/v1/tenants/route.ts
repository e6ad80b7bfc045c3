import { apiRoute } from '@/server/api/route';
import { createTenantContract, listTenantsContract } from '@/server/api/contracts/admin';
import { createTenant } from '@/server/tenants/create-tenant';
import { listCallerTenants } from '@/server/tenants/list-caller-tenants';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listTenantsContract, async ({ db, ctx }) => ({
  items: await listCallerTenants({ db, ctx }),
  nextCursor: null,
}));

export const POST = apiRoute(createTenantContract, async ({ db, ctx, body }) => {
  const { token, ...tenant } = await createTenant({ db, ctx, input: body });
  return { ...tenant, ...(token ? { token: { ...token.record, token: token.token } } : {}) };
});
