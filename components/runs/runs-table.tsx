'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { BulkRunDialog, type TBulkTarget } from '@/components/runs/bulk-run-dialog';
import { formatDuration } from '@/components/runs/format';
import { RunStatusBadge } from '@/components/runs/run-status-badge';
import { RunTestBadge } from '@/components/runs/run-test-badge';
import { Button } from '@/components/ui/button';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import type { TRunFilters } from '@/server/runs/run-filters';
import type { TRunRecord } from '@/server/runs/run-record';

/**
 * What a row shows of a run. The page hands over only these fields: every prop of a client
 * component is serialized into the page's HTML, and a run's input, output and error (up to
 * 1 MB each) would be sent for 50 runs that show none of them.
 */
export type TRunsTableRow = Pick<
  TRunRecord,
  | 'id'
  | 'workflowKey'
  | 'version'
  | 'status'
  | 'state'
  | 'trigger'
  | 'startedAt'
  | 'durationMs'
  | 'test'
  | 'mockActions'
>;

/** The runs of one page, with check boxes and bulk cancel/retry/migrate for operators. */
export function RunsTable({
  runs,
  filters,
  canOperate,
}: {
  runs: TRunsTableRow[];
  filters: TRunFilters;
  canOperate: boolean;
}) {
  const router = useRouter();
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [bulk, setBulk] = useState<TBulkTarget | null>(null);
  // A live refresh can drop runs off the page: only count picks that are still shown.
  const selected = useMemo(() => runs.filter((r) => picked.has(r.id)).map((r) => r.id), [runs, picked]);
  const allPicked = runs.length > 0 && selected.length === runs.length;
  const toggle = (id: string) =>
    setPicked((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const filtered = Object.values(filters).some(Boolean);
  return (
    <>
      {canOperate && (
        <div
          className="mb-2 flex min-h-9 flex-wrap items-center gap-2 text-[13px] text-ink-muted"
          aria-label="Bulk actions"
          role="group"
        >
          {selected.length > 0 ? (
            <>
              <span className="font-medium text-ink">{selected.length} selected</span>
              <Button size="sm" variant="danger" onClick={() => setBulk({ operation: 'cancel', ids: selected })}>
                Cancel selected
              </Button>
              <Button size="sm" onClick={() => setBulk({ operation: 'retry', ids: selected })}>
                Retry selected
              </Button>
              <Button size="sm" onClick={() => setBulk({ operation: 'migrate', ids: selected })}>
                Move selected to a version…
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setPicked(new Set())}>
                Clear selection
              </Button>
            </>
          ) : (
            <>
              <span>{filtered ? 'All runs matching these filters:' : 'All runs:'}</span>
              <Button size="sm" variant="ghost" onClick={() => setBulk({ operation: 'cancel', filter: filters })}>
                Cancel all…
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setBulk({ operation: 'retry', filter: filters })}>
                Retry all failed…
              </Button>
              {/* Versions are numbered per workflow: a bulk move needs the list narrowed to one. */}
              {filters.workflow && (
                <Button size="sm" variant="ghost" onClick={() => setBulk({ operation: 'migrate', filter: filters })}>
                  Move waiting to a version…
                </Button>
              )}
            </>
          )}
        </div>
      )}
      <Table>
        <THead>
          <TR>
            {canOperate && (
              <TH className="w-10 px-3">
                <input
                  type="checkbox"
                  aria-label="Select all runs on this page"
                  checked={allPicked}
                  onChange={() => setPicked(allPicked ? new Set() : new Set(runs.map((r) => r.id)))}
                  className="size-4 accent-(--color-accent)"
                />
              </TH>
            )}
            <TH>Run</TH>
            <TH>Workflow</TH>
            <TH>Status</TH>
            <TH>State</TH>
            <TH>Trigger</TH>
            <TH>Started</TH>
            <TH className="text-right">Duration</TH>
          </TR>
        </THead>
        <TBody>
          {runs.map((run) => (
            <TR key={run.id} className="hover:bg-subtle/50">
              {canOperate && (
                <TD className="w-10 px-3">
                  <input
                    type="checkbox"
                    aria-label={`Select run ${run.id.slice(0, 8)}`}
                    checked={picked.has(run.id)}
                    onChange={() => toggle(run.id)}
                    className="size-4 accent-(--color-accent)"
                  />
                </TD>
              )}
              <TD>
                <Link
                  href={`/runs/${run.id}`}
                  className="font-mono text-[13px] text-accent hover:underline"
                  title={run.id}
                >
                  {run.id.slice(0, 8)}
                </Link>
              </TD>
              <TD className="max-w-56">
                <span className="block truncate" title={`${run.workflowKey} v${run.version}`}>
                  {run.workflowKey} <span className="text-ink-muted">v{run.version}</span>
                </span>
              </TD>
              <TD>
                <span className="flex flex-wrap items-center gap-1">
                  <RunStatusBadge status={run.status} />
                  <RunTestBadge run={run} />
                </span>
              </TD>
              <TD className="max-w-40 text-ink-muted">
                <span className="block truncate" title={run.state ?? undefined}>
                  {run.state ?? '—'}
                </span>
              </TD>
              <TD className="text-ink-muted">{run.trigger.type}</TD>
              <TD className="text-ink-muted">
                {run.startedAt ? <TimeText iso={run.startedAt} withTime /> : run.status === 'QUEUED' ? 'queued' : '—'}
              </TD>
              <TD className="text-right whitespace-nowrap text-ink-muted tabular-nums">
                {run.durationMs !== null ? formatDuration(run.durationMs) : run.startedAt ? 'running' : '—'}
              </TD>
            </TR>
          ))}
        </TBody>
      </Table>
      {bulk && (
        <BulkRunDialog
          target={bulk}
          onClose={() => setBulk(null)}
          onDone={() => {
            setPicked(new Set());
            router.refresh();
          }}
        />
      )}
    </>
  );
}
