import type { Metadata } from 'next';
import Link from 'next/link';
import { Plug } from 'lucide-react';
import { ConnectionFormDialog } from '@/components/settings/connection-form-dialog';
import { DeleteConnectionButton } from '@/components/settings/delete-connection-button';
import { ForbiddenPanel } from '@/components/settings/forbidden-panel';
import { TestConnectionButton } from '@/components/settings/test-connection-button';
import { Badge } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { CONNECTION_TYPE_LABELS } from '@/model/connections/connection-config';
import { getDb } from '@/server/db/database';
import { listConnections } from '@/server/connections/list-connections';
import type { TConnectionRecord } from '@/server/connections/connection-record';

export const metadata: Metadata = { title: 'Connections' };

/** Where a connection points, in one line: its URL, host or connection string (never a secret). */
function target(connection: TConnectionRecord): string {
  const config = connection.config;
  const pick = (key: string) => (typeof config[key] === 'string' ? (config[key] as string) : '');
  if (connection.type === 'smtp') return `${pick('host')}:${String(config.port ?? '')}`;
  return pick('baseUrl') || pick('url') || pick('connectionString');
}

export default async function ConnectionsPage() {
  const ctx = await requirePageContext('/settings/connections');
  const description =
    'Named credentials for the services steps call: HTTP APIs, SMTP, PostgreSQL, LLMs and MCP servers. Secret fields are write-only.';
  if (!roleAllows(ctx.role, 'secret.read')) {
    return (
      <>
        <PageHeader title="Connections" description={description} />
        <ForbiddenPanel role={ctx.role} what="see or change connections" />
      </>
    );
  }
  const connections = await listConnections({ db: getDb(), ctx });
  const canManage = roleAllows(ctx.role, 'secret.manage');
  return (
    <>
      <PageHeader title="Connections" description={description} actions={canManage && <ConnectionFormDialog />} />
      {connections.length === 0 ? (
        <EmptyState icon={Plug} title="No connections yet">
          Add an API, a database or an LLM once; steps pick it by name and Pipewright adds the credentials.
        </EmptyState>
      ) : (
        <Table>
          <THead>
            <TR>
              <TH>Name</TH>
              <TH>Type</TH>
              <TH>Target</TH>
              <TH>Used by</TH>
              <TH>Updated</TH>
              {canManage && (
                <TH className="text-right">
                  <span className="sr-only">Actions</span>
                </TH>
              )}
            </TR>
          </THead>
          <TBody>
            {connections.map((connection) => (
              <TR key={connection.name}>
                <TD className="max-w-56">
                  <code className="block truncate font-mono text-[13px] font-medium" title={connection.name}>
                    {connection.name}
                  </code>
                  {connection.description ? (
                    <span className="line-clamp-2 text-[12px] text-ink-muted">{connection.description}</span>
                  ) : null}
                </TD>
                <TD>
                  <Badge>{CONNECTION_TYPE_LABELS[connection.type]}</Badge>
                </TD>
                <TD className="max-w-64">
                  <code className="block truncate font-mono text-[12px] text-ink-muted" title={target(connection)}>
                    {target(connection)}
                  </code>
                  {connection.secretFields.length > 0 ? (
                    <span className="text-[12px] text-ink-faint">sealed: {connection.secretFields.join(', ')}</span>
                  ) : null}
                </TD>
                <TD className="max-w-56 text-[13px]">
                  {connection.usedBy.length === 0 ? (
                    <span className="text-ink-faint">—</span>
                  ) : (
                    <ul className="flex flex-col">
                      {connection.usedBy.map((use) => (
                        <li key={use.workflowKey} className="truncate">
                          <Link href={`/workflows/${use.workflowKey}`} className="text-accent hover:underline">
                            {use.workflowName}
                          </Link>
                        </li>
                      ))}
                    </ul>
                  )}
                </TD>
                <TD className="text-ink-muted">
                  <TimeText iso={connection.updatedAt} withTime />
                </TD>
                {canManage && (
                  <TD>
                    <div className="flex items-start justify-end gap-1">
                      <TestConnectionButton name={connection.name} />
                      <ConnectionFormDialog replace={{ name: connection.name, type: connection.type }} />
                      <DeleteConnectionButton name={connection.name} usedBy={connection.usedBy.length} />
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
