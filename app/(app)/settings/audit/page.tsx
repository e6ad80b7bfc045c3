import type { Metadata } from 'next';
import { ScrollText } from 'lucide-react';
import { AuditLogTable } from '@/components/settings/audit-log-table';
import { ForbiddenPanel } from '@/components/settings/forbidden-panel';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { listAuditEntries } from '@/server/audit/list-audit-entries';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { getDb } from '@/server/db/database';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage() {
  const ctx = await requirePageContext('/settings/audit');
  const header = (
    <PageHeader
      title="Audit log"
      description="Every change made in this tenant by a person or a token, newest first."
    />
  );
  if (!roleAllows(ctx.role, 'audit.read')) {
    return (
      <>
        {header}
        <ForbiddenPanel role={ctx.role} what="read the audit log" />
      </>
    );
  }
  const first = await listAuditEntries({ db: getDb(), ctx });
  return (
    <>
      {header}
      {first.items.length === 0 ? (
        <EmptyState icon={ScrollText} title="Nothing recorded yet">
          Changes to members, tokens, secrets and tenants appear here.
        </EmptyState>
      ) : (
        <AuditLogTable first={first} />
      )}
    </>
  );
}
