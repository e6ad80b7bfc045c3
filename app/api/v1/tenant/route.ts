import { apiRoute } from '@/server/api/route';
import { getTenantContract, updateTenantContract } from '@/server/api/contracts/operations';
import { getTenantSettings } from '@/server/tenants/tenant-settings';
import { updateTenantSettings } from '@/server/tenants/update-tenant-settings';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(getTenantContract, ({ db, ctx }) => getTenantSettings({ db, ctx }));

export const PATCH = apiRoute(updateTenantContract, ({ db, ctx, body }) =>
  updateTenantSettings({ db, ctx, input: body }),
);
