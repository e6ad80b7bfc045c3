'use server';

import { ZTenantSettingsPatch } from '@/model/tenant-settings';
import { defineServerAction } from '@/server/server-actions/define-server-action';
import { updateTenantSettings } from '@/server/tenants/update-tenant-settings';

export const updateTenantSettingsAction = defineServerAction(
  { permission: 'tenant.manage', input: ZTenantSettingsPatch, revalidate: ['/settings/tenant'] },
  async ({ db, ctx, input }) => (await updateTenantSettings({ db, ctx, input })).settings,
);
