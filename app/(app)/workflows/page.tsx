import type { Metadata } from 'next';
import Link from 'next/link';
import { Workflow } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { buttonClasses } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import { requirePageContext } from '@/server/auth/require-page-context';
import { getDb } from '@/server/db/database';
import { listWorkflows } from '@/server/workflows/list-workflows';

export const metadata: Metadata = { title: 'Workflows' };

// The tenant's workflows as the API sees them. Designing them in the browser is the
// designer's (its own issue); until then they are created and published through the API.
export default async function WorkflowsPage() {
  const ctx = await requirePageContext('/workflows');
  const { items } = await listWorkflows({ db: getDb(), ctx, input: { limit: 200 } });
  return (
    <>
      <PageHeader title="Workflows" description="Pipes of steps that run from a form, a webhook, a schedule, an event or a script." />
      {items.length === 0 ? (
        <EmptyState
          icon={Workflow}
          title="No workflows yet"
          actions={
            <a href="/api/v1/openapi.json" className={buttonClasses('secondary')}>
              API reference
            </a>
          }
        >
          Create, publish and import workflows through the API (<code className="font-mono text-[13px]">POST /api/v1/workflows</code>); the browser designer is on its way.
        </EmptyState>
      ) : (
        <Table>
          <THead>
            <TR>
              <TH>Name</TH>
              <TH>Key</TH>
              <TH>Status</TH>
              <TH>Published</TH>
              <TH>Tags</TH>
              <TH>Updated</TH>
            </TR>
          </THead>
          <TBody>
            {items.map((workflow) => (
              <TR key={workflow.key}>
                <TD className="max-w-64">
                  <span className="block truncate font-medium" title={workflow.name}>
                    {workflow.name}
                  </span>
                </TD>
                <TD className="max-w-48">
                  <code className="block truncate font-mono text-[13px] text-ink-muted" title={workflow.key}>
                    {workflow.key}
                  </code>
                </TD>
                <TD>
                  <Badge tone={workflow.status === 'active' ? 'success' : 'neutral'}>{workflow.status}</Badge>
                </TD>
                <TD className="whitespace-nowrap text-ink-muted">
                  {workflow.latestVersion ? `v${workflow.latestVersion}` : 'not yet'}
                  {workflow.draftVersion ? ` · draft v${workflow.draftVersion}` : ''}
                </TD>
                <TD className="max-w-48 text-ink-muted">
                  <span className="block truncate">{workflow.tags.join(', ') || '—'}</span>
                </TD>
                <TD className="text-ink-muted">
                  <TimeText iso={workflow.updatedAt} />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
      <p className="mt-4 text-sm text-ink-muted">
        Runs of these workflows are under <Link className="text-accent underline-offset-2 hover:underline" href="/runs">Runs</Link>.
      </p>
    </>
  );
}
