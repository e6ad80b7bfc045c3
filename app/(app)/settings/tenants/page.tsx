import type { Metadata } from 'next';
import { CreateTenantForm } from '@/components/settings/create-tenant-form';
import { SwitchTenantButton } from '@/components/settings/switch-tenant-button';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { getDb } from '@/server/db/database';
import { listMyTenants } from '@/server/tenants/list-my-tenants';

export const metadata: Metadata = { title: 'Tenants' };

export default async function TenantsPage() {
  const ctx = await requirePageContext('/settings/tenants');
  const tenants = ctx.actor.type === 'user' ? await listMyTenants({ db: getDb(), userId: ctx.actor.userId }) : [];
  return (
    <>
      <PageHeader
        title="Tenants"
        description="Each tenant keeps its own workflows, runs, members, tokens and secrets. Nothing crosses between them."
      />
      <div className="flex flex-col gap-8">
        <Table>
          <THead>
            <TR>
              <TH>Name</TH>
              <TH>Slug</TH>
              <TH>Your role</TH>
              <TH className="text-right">
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {tenants.map((tenant) => (
              <TR key={tenant.id}>
                <TD className="max-w-64">
                  <span className="block truncate font-medium" title={tenant.name}>
                    {tenant.name}
                  </span>
                </TD>
                <TD>
                  <code className="font-mono text-[13px] text-ink-muted">{tenant.slug}</code>
                </TD>
                <TD>{tenant.role}</TD>
                <TD className="text-right">
                  {tenant.slug === ctx.tenantSlug ? (
                    <Badge tone="accent">Current</Badge>
                  ) : (
                    <SwitchTenantButton slug={tenant.slug} name={tenant.name} />
                  )}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
        {roleAllows(ctx.role, 'tenant.create') && (
          <Card className="p-5">
            <h2 className="text-sm font-semibold">Create a tenant</h2>
            <p className="mt-1 mb-4 text-sm text-ink-muted">You become its first admin.</p>
            <CreateTenantForm />
          </Card>
        )}
      </div>
    </>
  );
}
