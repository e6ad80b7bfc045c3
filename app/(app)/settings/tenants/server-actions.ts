'use server';

import { defineServerAction } from '@/server/server-actions/define-server-action';
import { createTenant, ZCreateTenant } from '@/server/tenants/create-tenant';

/** The creator becomes the new tenant's admin; the shell's tenant list changes, so revalidate it all. */
export const createTenantAction = defineServerAction(
  { permission: 'tenant.create', input: ZCreateTenant, revalidate: ['/'] },
  ({ db, ctx, input }) => createTenant({ db, ctx, input }),
);
