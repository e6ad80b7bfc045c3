import type { Metadata } from 'next';
import Link from 'next/link';
import { SearchX, Workflow } from 'lucide-react';
import { RunStatusBadge } from '@/components/runs/run-status-badge';
import { Badge } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/empty-state';
import { ListPages } from '@/components/ui/list-pages';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import { CreateWorkflowDialog } from '@/components/workflows/create-workflow-dialog';
import { ImportWorkflowDialog } from '@/components/workflows/import-workflow-dialog';
import { TemplatesGallery } from '@/components/workflows/templates-gallery';
import { WORKFLOW_TEMPLATES, summariseTemplate } from '@/server/templates/workflow-templates';
import { WorkflowFilters } from '@/components/workflows/workflow-filters';
import { WorkflowRowActions } from '@/components/workflows/workflow-row-actions';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { AppError } from '@/model/errors';
import { getDb } from '@/server/db/database';
import { listActionTypes } from '@/server/runtime/registry/list-action-types';
import { listNodeTypes } from '@/server/runtime/registry/list-node-types';
import { listWorkflows, ZListWorkflows } from '@/server/workflows/list-workflows';
import { STATS_WINDOW_DAYS, type TWorkflowRecord } from '@/server/workflows/workflow-record';

export const metadata: Metadata = { title: 'Workflows' };

const MAX_TAGS = 2;

type TSearchParams = Promise<Record<string, string | string[] | undefined>>;

function successRate(stats: TWorkflowRecord['stats']): string {
  const finished = stats.succeeded + stats.failed;
  return finished === 0 ? 'no results' : `${Math.round((stats.succeeded / finished) * 100)}% ok`;
}

/** Filters from the URL; anything that does not parse is ignored rather than an error page. */
function filtersFrom(params: Record<string, string | string[] | undefined>) {
  const one = (name: string) => (typeof params[name] === 'string' ? (params[name] as string) : undefined);
  const parsed = ZListWorkflows.pick({ q: true, tag: true, status: true, uses: true }).safeParse({
    q: one('q') || undefined,
    tag: one('tag') || undefined,
    status: one('status') || undefined,
    uses: one('uses') || undefined,
  });
  return parsed.success ? parsed.data : {};
}

export default async function WorkflowsPage({ searchParams }: { searchParams: TSearchParams }) {
  const ctx = await requirePageContext('/workflows');
  const search = await searchParams;
  const filters = filtersFrom(search);
  const filtered = Object.values(filters).some(Boolean);
  const cursor = typeof search.cursor === 'string' ? search.cursor : undefined;
  // A cursor that no longer parses (typed by hand, an old link) starts from the first page.
  const { items, nextCursor } = await listWorkflows({
    db: getDb(),
    ctx,
    input: { ...filters, cursor, limit: 200 },
  }).catch((error: unknown) => {
    if (cursor && error instanceof AppError && error.code === 'VALIDATION')
      return listWorkflows({ db: getDb(), ctx, input: { ...filters, limit: 200 } });
    throw error;
  });
  const canWrite = roleAllows(ctx.role, 'workflow.write');
  const usesOptions = [
    ...listNodeTypes().map((node) => ({ value: node.type, label: node.title, description: node.type })),
    ...listActionTypes().map((action) => ({
      value: action.id,
      label: action.title,
      description: `action ${action.id}`,
    })),
  ];
  const gallery = canWrite ? (
    <TemplatesGallery templates={WORKFLOW_TEMPLATES.map(summariseTemplate)} defaultOpen={search.templates === '1'} />
  ) : null;
  const actions = canWrite ? (
    <>
      {gallery}
      <ImportWorkflowDialog />
      <CreateWorkflowDialog />
    </>
  ) : null;

  if (items.length === 0 && !filtered && !cursor) {
    return (
      <>
        <PageHeader
          title="Workflows"
          description="Pipes of steps that run from a form, a webhook, a schedule, an event or a script."
        />
        <EmptyState
          icon={Workflow}
          title="No workflows yet"
          actions={
            canWrite ? (
              <>
                <CreateWorkflowDialog variant="primary" />
                {gallery}
                <ImportWorkflowDialog />
              </>
            ) : undefined
          }
        >
          {canWrite
            ? 'Create one and design its steps in the browser, start from a template, or import a JSON document exported from another Pipewright.'
            : 'Editors create workflows; you will see them here.'}
        </EmptyState>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Workflows"
        description="Pipes of steps that run from a form, a webhook, a schedule, an event or a script."
        actions={actions}
      />
      <WorkflowFilters usesOptions={usesOptions} />
      {items.length === 0 ? (
        <EmptyState icon={SearchX} title="No workflows match">
          Nothing matches these filters. Clear them to see every workflow.
        </EmptyState>
      ) : (
        <Table aria-label="Workflows">
          <THead>
            <TR>
              <TH>Name</TH>
              <TH>Status</TH>
              <TH>Version</TH>
              <TH>Tags</TH>
              <TH>Last run</TH>
              <TH>Last {STATS_WINDOW_DAYS} days</TH>
              <TH className="text-right">
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {items.map((workflow) => (
              <TR key={workflow.key} data-testid={`workflow-row-${workflow.key}`}>
                <TD className="max-w-64 min-w-44">
                  <Link
                    href={`/workflows/${workflow.key}`}
                    className="block truncate font-medium text-ink hover:text-accent hover:underline"
                    title={workflow.name}
                  >
                    {workflow.name}
                  </Link>
                  <code className="block truncate font-mono text-[12px] text-ink-faint" title={workflow.key}>
                    {workflow.key}
                  </code>
                </TD>
                <TD>
                  <Badge tone={workflow.status === 'active' ? 'success' : 'neutral'}>{workflow.status}</Badge>
                </TD>
                <TD className="whitespace-nowrap text-ink-muted">
                  {workflow.latestVersion ? (
                    `v${workflow.latestVersion}`
                  ) : (
                    <span className="text-ink-faint">unpublished</span>
                  )}
                  {workflow.draftVersion ? (
                    <span className="ml-1.5">
                      <Badge tone="warning">draft</Badge>
                    </span>
                  ) : null}
                </TD>
                <TD className="max-w-56">
                  <div className="flex flex-wrap gap-1">
                    {workflow.tags.length === 0 && <span className="text-ink-faint">—</span>}
                    {workflow.tags.slice(0, MAX_TAGS).map((tag) => (
                      <Link
                        key={tag}
                        href={`/workflows?tag=${encodeURIComponent(tag)}`}
                        className="max-w-40 truncate rounded-full border border-line bg-subtle px-2 py-px text-xs text-ink-muted hover:border-accent hover:text-accent"
                        title={`Only workflows tagged ${tag}`}
                      >
                        {tag}
                      </Link>
                    ))}
                    {workflow.tags.length > MAX_TAGS && (
                      <span className="px-1 text-xs text-ink-faint" title={workflow.tags.slice(MAX_TAGS).join(', ')}>
                        +{workflow.tags.length - MAX_TAGS}
                      </span>
                    )}
                  </div>
                </TD>
                <TD className="whitespace-nowrap">
                  {workflow.stats.lastRunStatus ? (
                    <span className="flex items-center gap-2">
                      <RunStatusBadge status={workflow.stats.lastRunStatus} />
                      <span className="text-ink-muted">
                        <TimeText iso={workflow.stats.lastRunAt} />
                      </span>
                    </span>
                  ) : (
                    <span className="text-ink-faint">never</span>
                  )}
                </TD>
                <TD
                  className="whitespace-nowrap text-ink-muted tabular-nums"
                  title={`${workflow.stats.succeeded} succeeded, ${workflow.stats.failed} failed`}
                >
                  {workflow.stats.runs} run{workflow.stats.runs === 1 ? '' : 's'}
                  <span className="text-ink-faint"> · </span>
                  {successRate(workflow.stats)}
                </TD>
                <TD className="text-right">
                  <WorkflowRowActions workflow={workflow} canWrite={canWrite} />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
      <ListPages
        path="/workflows"
        search={search}
        onLaterPage={Boolean(cursor)}
        nextCursor={nextCursor}
        noun="workflows"
      />
    </>
  );
}
