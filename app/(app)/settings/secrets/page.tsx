import type { Metadata } from 'next';
import { LockKeyhole } from 'lucide-react';
import { DeleteSecretButton } from '@/components/settings/delete-secret-button';
import { ForbiddenPanel } from '@/components/settings/forbidden-panel';
import { SecretFormDialog } from '@/components/settings/secret-form-dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { getDb } from '@/server/db/database';
import { listSecrets } from '@/server/secrets/list-secrets';

export const metadata: Metadata = { title: 'Secrets' };

export default async function SecretsPage() {
  const ctx = await requirePageContext('/settings/secrets');
  const description =
    'Values that workflow steps use without anyone seeing them again. Values are write-only: replace one to change it.';
  if (!roleAllows(ctx.role, 'secret.read')) {
    return (
      <>
        <PageHeader title="Secrets" description={description} />
        <ForbiddenPanel role={ctx.role} what="see or change secrets" />
      </>
    );
  }
  const secrets = await listSecrets({ db: getDb(), ctx });
  const canManage = roleAllows(ctx.role, 'secret.manage');
  return (
    <>
      <PageHeader title="Secrets" description={description} actions={canManage && <SecretFormDialog />} />
      {secrets.length === 0 ? (
        <EmptyState icon={LockKeyhole} title="No secrets yet">
          Store API keys and passwords here; workflows reference them by name, and their values never appear in runs or
          logs.
        </EmptyState>
      ) : (
        <Table>
          <THead>
            <TR>
              <TH>Name</TH>
              <TH>Description</TH>
              <TH>Updated</TH>
              {canManage && (
                <TH className="text-right">
                  <span className="sr-only">Actions</span>
                </TH>
              )}
            </TR>
          </THead>
          <TBody>
            {secrets.map((secret) => (
              <TR key={secret.name}>
                <TD className="max-w-64">
                  <code className="block truncate font-mono text-[13px] font-medium" title={secret.name}>
                    {secret.name}
                  </code>
                </TD>
                <TD className="max-w-md text-ink-muted">
                  <span className="line-clamp-2">{secret.description || '—'}</span>
                </TD>
                <TD className="text-ink-muted">
                  <TimeText iso={secret.updatedAt} withTime />
                </TD>
                {canManage && (
                  <TD>
                    <div className="flex justify-end gap-1">
                      <SecretFormDialog replace={secret.name} />
                      <DeleteSecretButton name={secret.name} />
                    </div>
                  </TD>
                )}
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
