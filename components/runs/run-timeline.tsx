'use client';

import { ChevronRight, RotateCw } from 'lucide-react';
import { useMemo, useState } from 'react';
import { cx } from '@/components/ui/cx';
import { elapsed, formatClock, formatDuration } from '@/components/runs/format';
import type { TStepNodeStatus, TTimelineGroup, TTimelineStep } from '@/components/runs/step-tree';

const BAR: Record<TStepNodeStatus, string> = {
  RUNNING: 'bg-accent animate-pulse-soft',
  SUCCEEDED: 'bg-success/70',
  FAILED: 'bg-danger',
  WAITING: 'bg-warning/70 animate-pulse-soft',
  SKIPPED: 'bg-line-strong',
  CANCELED: 'bg-ink-faint/60',
};
const DOT: Record<TStepNodeStatus, string> = {
  RUNNING: 'bg-accent',
  SUCCEEDED: 'bg-success',
  FAILED: 'bg-danger',
  WAITING: 'bg-warning',
  SKIPPED: 'bg-line-strong',
  CANCELED: 'bg-ink-faint',
};

type TRow =
  | { kind: 'step'; node: TTimelineStep; depth: number }
  | { kind: 'group'; group: TTimelineGroup; depth: number; collapsed: boolean };

const AUTO_COLLAPSE_ROWS = 40;

function countRows(steps: TTimelineStep[]): number {
  return steps.reduce((sum, step) => sum + 1 + step.groups.reduce((g, group) => g + 1 + countRows(group.steps), 0), 0);
}

/** Groups start folded in a long run, except those where something failed, runs or waits. */
function startsCollapsed(group: TTimelineGroup, long: boolean): boolean {
  return long && group.status !== 'FAILED' && group.status !== 'RUNNING' && group.status !== 'WAITING';
}

function flatten(
  steps: TTimelineStep[],
  depth: number,
  toggled: ReadonlySet<string>,
  long: boolean,
  rows: TRow[],
): TRow[] {
  for (const node of steps) {
    rows.push({ kind: 'step', node, depth });
    for (const group of node.groups) {
      const collapsed = startsCollapsed(group, long) !== toggled.has(group.key);
      rows.push({ kind: 'group', group, depth: depth + 1, collapsed });
      if (!collapsed) flatten(group.steps, depth + 2, toggled, long, rows);
    }
  }
  return rows;
}

function Bar({
  start,
  end,
  span,
  status,
}: {
  start: string;
  end: string | null;
  span: { from: number; to: number };
  status: TStepNodeStatus | null;
}) {
  const total = Math.max(1, span.to - span.from);
  const left = Math.min(100, Math.max(0, ((Date.parse(start) - span.from) / total) * 100));
  const width = Math.max(
    0.6,
    Math.min(100 - left, (((end ? Date.parse(end) : span.to) - Date.parse(start)) / total) * 100),
  );
  return (
    <div className="relative h-2 w-full rounded-full bg-subtle" aria-hidden>
      <div
        className={cx('absolute top-0 h-2 rounded-full', status ? BAR[status] : 'bg-line-strong')}
        style={{ left: `${left}%`, width: `${width}%` }}
      />
    </div>
  );
}

/**
 * The run's steps in the order they started, nested steps grouped under their block's pipe or
 * forEach iteration, each with its attempts, a scheduled retry, its duration as text and as a
 * bar on the run's time axis. Clicking a step selects it.
 */
export function RunTimeline({
  tree,
  span,
  now,
  selectedPath,
  onSelect,
}: {
  tree: TTimelineStep[];
  span: { from: number; to: number };
  now: number;
  selectedPath: string | null;
  onSelect: (path: string) => void;
}) {
  const [toggled, setToggled] = useState<ReadonlySet<string>>(new Set());
  const long = useMemo(() => countRows(tree) > AUTO_COLLAPSE_ROWS, [tree]);
  const rows = useMemo(() => flatten(tree, 0, toggled, long, []), [tree, toggled, long]);
  const toggle = (key: string) =>
    setToggled((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  if (tree.length === 0) return <p className="px-4 py-6 text-sm text-ink-muted">No step has started yet.</p>;
  return (
    <ol className="divide-y divide-line" aria-label="Steps">
      {rows.map((row) => {
        if (row.kind === 'group') {
          const { group } = row;
          return (
            <li
              key={`g:${group.key}`}
              className="grid grid-cols-[minmax(0,1fr)_6rem] items-center gap-3 bg-subtle/40 px-3 py-1.5 sm:grid-cols-[minmax(0,1fr)_minmax(6rem,14rem)_5.5rem]"
            >
              <button
                type="button"
                className="flex min-w-0 items-center gap-1.5 text-left text-[12px] font-medium text-ink-muted hover:text-ink"
                style={{ paddingLeft: `${row.depth * 14}px` }}
                onClick={() => toggle(group.key)}
                aria-expanded={!row.collapsed}
              >
                <ChevronRight
                  className={cx('size-3.5 shrink-0 transition-transform', !row.collapsed && 'rotate-90')}
                  aria-hidden
                />
                {group.status && (
                  <span className={cx('size-1.5 shrink-0 rounded-full', DOT[group.status])} aria-hidden />
                )}
                <span className="truncate">{group.label}</span>
                <span className="shrink-0 text-ink-faint">
                  · {group.steps.length} {group.steps.length === 1 ? 'step' : 'steps'}
                </span>
              </button>
              <div className="hidden sm:block">
                <Bar start={group.startedAt} end={group.completedAt} span={span} status={group.status} />
              </div>
              <span className="text-right text-[12px] text-ink-faint tabular-nums">
                {formatDuration(elapsed(group.startedAt, group.completedAt, now))}
              </span>
            </li>
          );
        }
        const { node } = row;
        const selected = node.path === selectedPath;
        const failedAttempts = node.attempts.filter((a) => a.status === 'FAILED').length;
        return (
          <li key={`s:${node.path}`}>
            <button
              type="button"
              onClick={() => onSelect(node.path)}
              aria-current={selected ? 'true' : undefined}
              data-step-path={node.path}
              className={cx(
                'grid w-full grid-cols-[minmax(0,1fr)_6rem] items-center gap-3 px-3 py-2 text-left hover:bg-subtle sm:grid-cols-[minmax(0,1fr)_minmax(6rem,14rem)_5.5rem]',
                selected && 'bg-accent-soft hover:bg-accent-soft',
              )}
            >
              <span className="flex min-w-0 items-center gap-2" style={{ paddingLeft: `${row.depth * 14}px` }}>
                <span
                  className={cx('size-2 shrink-0 rounded-full', DOT[node.status])}
                  title={node.status.toLowerCase()}
                  aria-hidden
                />
                <span className="truncate text-[13px] font-medium text-ink" title={node.stepId}>
                  {node.stepId}
                </span>
                <span className="hidden shrink-0 font-mono text-[11px] text-ink-faint md:inline">{node.type}</span>
                <span className="sr-only">{node.status.toLowerCase()}</span>
                {node.attempts.length > 1 && (
                  <span
                    className="shrink-0 rounded-full border border-line px-1.5 text-[11px] text-ink-muted"
                    title={`${failedAttempts} failed`}
                  >
                    {node.attempts.length} attempts
                  </span>
                )}
                {node.retryAt && (
                  <span className="flex shrink-0 items-center gap-1 text-[11px] text-warning" title={node.retryAt}>
                    <RotateCw className="size-3" aria-hidden />
                    retry at {formatClock(node.retryAt)}
                  </span>
                )}
              </span>
              <span className="hidden sm:block">
                <Bar start={node.startedAt} end={node.completedAt} span={span} status={node.status} />
              </span>
              <span className="text-right text-[12px] text-ink-muted tabular-nums">
                {formatDuration(elapsed(node.startedAt, node.completedAt, now))}
              </span>
            </button>
          </li>
        );
      })}
    </ol>
  );
}
