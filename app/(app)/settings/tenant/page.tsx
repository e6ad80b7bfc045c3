import type { Metadata } from 'next';
import { TenantSettingsForm } from '@/components/settings/tenant-settings-form';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageContext } from '@/server/auth/require-page-context';
import { getDb } from '@/server/db/database';
import { getTenantSettings } from '@/server/tenants/tenant-settings';
import { roleAllows } from '@/model/roles';

export const metadata: Metadata = { title: 'Tenant' };

export default async function TenantSettingsPage() {
  const ctx = await requirePageContext('/settings/tenant');
  const tenant = await getTenantSettings({ db: getDb(), ctx });
  return (
    <>
      <PageHeader
        title="Tenant"
        description={`How long ${tenant.name}'s runs are kept, and how many may go at once.`}
      />
      <Card className="max-w-xl p-5">
        <TenantSettingsForm settings={tenant.settings} canEdit={roleAllows(ctx.role, 'tenant.manage')} />
      </Card>
    </>
  );
}
