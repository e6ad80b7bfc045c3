import type { Metadata } from 'next';
import { Activity } from 'lucide-react';
import { RunStatusBadge } from '@/components/runs/run-status-badge';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import { requirePageContext } from '@/server/auth/require-page-context';
import { getDb } from '@/server/db/database';
import { listRuns } from '@/server/runs/list-runs';

export const metadata: Metadata = { title: 'Runs' };

function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** The latest runs across workflows. The live run viewer and operator controls are their own issue. */
export default async function RunsPage() {
  const ctx = await requirePageContext('/runs');
  const { items } = await listRuns({ db: getDb(), ctx, input: { limit: 100 } });
  return (
    <>
      <PageHeader title="Runs" description="The latest runs of every workflow, newest first." />
      {items.length === 0 ? (
        <EmptyState icon={Activity} title="No runs yet">
          Runs appear here once a published workflow is started, e.g. with <code className="font-mono text-[13px]">POST /api/v1/workflows/&#123;key&#125;/runs</code>.
        </EmptyState>
      ) : (
        <Table>
          <THead>
            <TR>
              <TH>Run</TH>
              <TH>Workflow</TH>
              <TH>Status</TH>
              <TH>State</TH>
              <TH>Trigger</TH>
              <TH>Started</TH>
              <TH>Duration</TH>
            </TR>
          </THead>
          <TBody>
            {items.map((run) => (
              <TR key={run.id}>
                <TD>
                  <code className="font-mono text-[13px]" title={run.id}>
                    {run.id.slice(0, 8)}
                  </code>
                </TD>
                <TD className="max-w-56">
                  <span className="block truncate" title={run.workflowKey}>
                    {run.workflowKey} <span className="text-ink-muted">v{run.version}</span>
                  </span>
                </TD>
                <TD>
                  <RunStatusBadge status={run.status} />
                </TD>
                <TD className="max-w-40 text-ink-muted">
                  <span className="block truncate">{run.state ?? '—'}</span>
                </TD>
                <TD className="text-ink-muted">{run.trigger.type}</TD>
                <TD className="text-ink-muted">{run.startedAt ? <TimeText iso={run.startedAt} withTime /> : 'queued'}</TD>
                <TD className="whitespace-nowrap text-ink-muted">{duration(run.durationMs)}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
