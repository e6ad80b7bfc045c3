'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { answerTasksInBulkAction } from '@/app/(app)/inbox/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { inboxKeyAction } from '@/components/inbox/inbox-keys';
import { InboxBulkBar, InboxBulkResults, type TBulkOutcome } from '@/components/inbox/inbox-bulk-bar';
import { TaskDue } from '@/components/inbox/task-due';
import { Badge } from '@/components/ui/badge';
import { cx } from '@/components/ui/cx';

/** One inbox row as the page hands it over: what the list shows, nothing of the form itself. */
export type TInboxRow = {
  id: string;
  runId: string;
  title: string;
  workflowKey: string;
  assignee: string;
  claimedBy: string | null;
  progress: string;
  progressTitle: string | null;
  dueAt: string | null;
  open: boolean;
  outcomes: string[];
  /** The form has a required field: answered on its own page, never in bulk. */
  needsForm: boolean;
};

// Columns on wide screens; below 1024 px (lg) each row is a stacked card (no sideways scrolling).
const GRID =
  'lg:grid lg:grid-cols-[2rem_minmax(0,2.2fr)_minmax(0,1fr)_minmax(0,1.4fr)_minmax(0,1.2fr)_minmax(11rem,1.1fr)]';

/**
 * The inbox as a work queue: rows to move through with j/k or the arrows, Enter to open, x to
 * select for a bulk answer (tasks whose form has no required field). The bulk answer reports
 * per task what happened; nothing is all-or-nothing.
 */
export function InboxTaskList({ rows, now }: { rows: TInboxRow[]; now: number }) {
  const router = useRouter();
  const [active, setActive] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [results, setResults] = useState<TBulkOutcome[] | null>(null);
  const { pending, error, run } = useServerAction(answerTasksInBulkAction);
  const list = useRef<HTMLUListElement>(null);
  const focusRow = useCallback((index: number) => {
    setActive(index);
    list.current?.querySelectorAll<HTMLElement>('[data-task-row]')[index]?.focus();
  }, []);
  // Rows that left the list (answered elsewhere, refreshed) drop out of the selection.
  useEffect(() => {
    const ids = new Set(rows.map((row) => row.id));
    setSelected((current) => new Set([...current].filter((id) => ids.has(id))));
    setActive((current) => Math.min(current, Math.max(rows.length - 1, 0)));
  }, [rows]);

  const selectable = (row: TInboxRow) => row.open && !row.needsForm;
  const toggle = (row: TInboxRow) => {
    if (!selectable(row)) return;
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(row.id)) next.delete(row.id);
      else next.add(row.id);
      return next;
    });
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const action = inboxKeyAction(event);
      if (!action || rows.length === 0) return;
      const inList = list.current?.contains(document.activeElement) ?? false;
      // Away from the list only j/k (not the arrows, which scroll the page) take you into it.
      if (!inList && (event.key.startsWith('Arrow') || document.activeElement !== document.body)) return;
      if (!inList && (action === 'open' || action === 'select')) return;
      event.preventDefault();
      if (action === 'next') focusRow(inList ? Math.min(active + 1, rows.length - 1) : active);
      else if (action === 'previous') focusRow(inList ? Math.max(active - 1, 0) : active);
      else if (action === 'open') router.push(`/inbox/${rows[active]!.id}`);
      else toggle(rows[active]!);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  const chosen = rows.filter((row) => selected.has(row.id));
  const answer = (outcome: string) => {
    const titles = new Map(chosen.map((row) => [row.id, row.title]));
    run({ ids: chosen.map((row) => row.id), outcome }, (data) => {
      setResults(data.results.map((result) => ({ ...result, title: titles.get(result.id) ?? result.id })));
      setSelected(new Set());
      router.refresh();
    });
  };

  return (
    <div className="flex flex-col gap-3">
      <p className="hidden text-xs text-ink-faint lg:block" data-testid="inbox-keys">
        Keys: <kbd className="font-mono">j</kbd>/<kbd className="font-mono">k</kbd> or ↑/↓ move ·{' '}
        <kbd className="font-mono">Enter</kbd> opens · <kbd className="font-mono">x</kbd> selects for a bulk answer
      </p>
      {results && <InboxBulkResults results={results} onClose={() => setResults(null)} />}
      {chosen.length > 0 && (
        <InboxBulkBar
          count={chosen.length}
          outcomes={[...new Set(chosen.flatMap((row) => row.outcomes))]}
          pending={pending}
          error={error?.message ?? null}
          onAnswer={answer}
          onClear={() => setSelected(new Set())}
        />
      )}
      <div className="overflow-hidden rounded-lg border border-line bg-surface">
        <div
          className={cx(
            GRID,
            'hidden h-9 items-center border-b border-line bg-subtle/60 text-xs font-medium text-ink-muted',
          )}
          aria-hidden
        >
          <span />
          <span className="px-3">Task</span>
          <span className="px-3">Workflow</span>
          <span className="px-3">Assignee</span>
          <span className="px-3">Progress</span>
          <span className="px-3">Due</span>
        </div>
        <ul ref={list} aria-label="Tasks" className="divide-y divide-line" data-inbox-table>
          {rows.map((row, index) => {
            const overdue = row.open && row.dueAt !== null && new Date(row.dueAt).getTime() < now;
            return (
              <li
                key={row.id}
                tabIndex={index === active ? 0 : -1}
                onFocus={() => setActive(index)}
                data-selected={selected.has(row.id) || undefined}
                data-task-row={row.id}
                data-overdue={overdue || undefined}
                data-active={index === active || undefined}
                className={cx(
                  GRID,
                  'relative flex flex-col gap-1 px-3 py-3 text-sm outline-none lg:items-center lg:gap-0 lg:px-0 lg:py-2',
                  'focus-visible:bg-accent-soft/50 focus-visible:ring-2 focus-visible:ring-accent focus-visible:ring-inset',
                  selected.has(row.id) && 'bg-accent-soft/40',
                )}
              >
                <span className="absolute top-3 right-3 lg:static lg:flex lg:justify-center">
                  <input
                    type="checkbox"
                    className="size-4 accent-accent"
                    checked={selected.has(row.id)}
                    disabled={!selectable(row)}
                    onChange={() => toggle(row)}
                    tabIndex={-1}
                    aria-label={`Select “${row.title}”`}
                    title={row.needsForm ? 'This task has required fields: answer it on its own page.' : 'Select (x)'}
                  />
                </span>
                <span className="min-w-0 pr-8 lg:px-3">
                  <Link
                    href={`/inbox/${row.id}`}
                    className="block truncate font-medium text-ink hover:underline"
                    title={row.title}
                    tabIndex={-1}
                    data-task-link
                  >
                    {row.title}
                  </Link>
                </span>
                <span className="min-w-0 text-ink-muted lg:px-3">
                  <Link
                    href={`/runs/${row.runId}`}
                    className="block truncate hover:underline"
                    title={`Run of ${row.workflowKey}`}
                    tabIndex={-1}
                  >
                    {row.workflowKey}
                  </Link>
                </span>
                <span className="min-w-0 text-ink-muted lg:px-3">
                  <span className="block truncate" title={row.assignee}>
                    {row.assignee}
                  </span>
                  {row.claimedBy && (
                    <span className="mt-0.5 flex min-w-0 items-center gap-1" data-testid="claimed-by">
                      <Badge tone="accent">claimed</Badge>
                      <span className="truncate text-ink">{row.claimedBy}</span>
                    </span>
                  )}
                </span>
                <span className="min-w-0 truncate text-ink-muted lg:px-3" title={row.progressTitle ?? row.progress}>
                  {row.progress}
                </span>
                <span className="min-w-0 lg:px-3">
                  {row.dueAt && <span className="mr-1.5 text-ink-faint lg:hidden">Due</span>}
                  <TaskDue dueAt={row.dueAt} now={now} open={row.open} />
                </span>
              </li>
            );
          })}
        </ul>
      </div>
    </div>
  );
}
