import type { Metadata } from 'next';
import { ScrollText } from 'lucide-react';
import { AuditLogFilters } from '@/components/settings/audit-log-filters';
import { AuditLogTable } from '@/components/settings/audit-log-table';
import { ForbiddenPanel } from '@/components/settings/forbidden-panel';
import { EmptyState } from '@/components/ui/empty-state';
import { FormError } from '@/components/ui/field';
import { PageHeader } from '@/components/ui/page-header';
import { auditFiltersFromSearch } from '@/server/audit/audit-filters-from-search';
import { listAuditEntries } from '@/server/audit/list-audit-entries';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { getDb } from '@/server/db/database';

export const metadata: Metadata = { title: 'Audit log' };

type TSearch = Record<string, string | string[] | undefined>;

export default async function AuditPage({ searchParams }: { searchParams: Promise<TSearch> }) {
  const ctx = await requirePageContext('/settings/audit');
  const header = (
    <PageHeader
      title="Audit log"
      description="Every change made in this tenant by a person or a token, newest first. A person's autosaves of one workflow show as one row per editing session."
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
  const search = await searchParams;
  const { filters, ignored } = auditFiltersFromSearch(
    Object.fromEntries(Object.entries(search).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value])),
  );
  const filtered = Object.values(filters).some((value) => value !== undefined);
  const first = await listAuditEntries({ db: getDb(), ctx, filters });
  return (
    <>
      {header}
      <AuditLogFilters />
      {ignored.length > 0 && <FormError message={`Ignored the filter ${ignored.join(', ')}: not a valid value.`} />}
      {first.items.length === 0 ? (
        <EmptyState icon={ScrollText} title={filtered ? 'Nothing matches these filters' : 'Nothing recorded yet'}>
          {filtered
            ? 'Try a wider time range or another action.'
            : 'Changes to workflows, runs, triggers, members, tokens, secrets and tenants appear here.'}
        </EmptyState>
      ) : (
        <AuditLogTable key={JSON.stringify(filters)} first={first} filters={filters} />
      )}
    </>
  );
}
