'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { RunActions } from '@/components/runs/run-actions';
import { formatDuration } from '@/components/runs/format';
import { formatSpan } from '@/components/ui/format-span';
import { RunStatusBadge } from '@/components/runs/run-status-badge';
import { Card } from '@/components/ui/card';
import type { TStuckRun, TStuckWork } from '@/server/overview/get-stuck-work';

function Row({
  item,
  since,
  now,
  canOperate,
  isAdmin,
}: {
  item: TStuckRun;
  since: string;
  now: number;
  canOperate: boolean;
  isAdmin: boolean;
}) {
  const router = useRouter();
  return (
    <li className="flex flex-col gap-2 border-t border-line py-2.5 first:border-t-0 md:flex-row md:items-center md:justify-between">
      <div className="min-w-0 text-sm">
        <div className="flex flex-wrap items-center gap-2">
          <Link href={`/runs/${item.runId}`} className="font-mono text-[13px] text-accent hover:underline">
            {item.runId.slice(0, 8)}
          </Link>
          <span className="max-w-full min-w-0 truncate">{item.workflowKey}</span>
          <RunStatusBadge status={item.status} />
        </div>
        <div className="mt-0.5 text-[13px] text-ink-muted">
          {since === 'due' ? 'due' : since} {formatDuration(now - new Date(item.since).getTime())}
          {since === 'due' ? ' ago' : ''} · {item.detail}
        </div>
      </div>
      {canOperate && (
        <RunActions
          runId={item.runId}
          status={item.status}
          version={item.version}
          latestVersion={null}
          isAdmin={isAdmin}
          onChanged={() => router.refresh()}
        />
      )}
    </li>
  );
}

/**
 * "Needs attention" on the Overview (issue 19): runs without progress, waits past due and the
 * oldest queued run, each linked to its run with the operator buttons its status allows.
 */
export function StuckWork({
  work,
  now,
  canOperate,
  isAdmin,
}: {
  work: TStuckWork;
  now: number;
  canOperate: boolean;
  isAdmin: boolean;
}) {
  const groups = [
    {
      title: `No progress for over ${formatSpan(work.stuckAfterMs)}`,
      items: work.noProgress,
      since: 'unchanged for',
    },
    { title: 'Waits past their due time', items: work.overdueWaits, since: 'due' },
    { title: 'Oldest queued run', items: work.oldestQueued ? [work.oldestQueued] : [], since: 'queued for' },
  ].filter((group) => group.items.length > 0);
  return (
    <Card className="p-5">
      <h2 className="text-sm font-semibold">Needs attention</h2>
      {groups.length === 0 ? (
        <p className="mt-2 text-sm text-ink-muted">Nothing is stuck: no run is overdue and the queue is empty.</p>
      ) : (
        <div className="mt-3 flex flex-col gap-4">
          {groups.map((group) => (
            <section key={group.title} aria-label={group.title}>
              <h3 className="text-xs font-medium text-ink-muted">{group.title}</h3>
              <ul>
                {group.items.map((item) => (
                  <Row
                    key={`${group.title}:${item.runId}`}
                    item={item}
                    since={group.since}
                    now={now}
                    canOperate={canOperate}
                    isAdmin={isAdmin}
                  />
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
    </Card>
  );
}
