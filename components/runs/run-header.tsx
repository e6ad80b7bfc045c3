import Link from 'next/link';
import { RunStatusBadge } from '@/components/runs/run-status-badge';
import { elapsed, formatDuration } from '@/components/runs/format';
import type { TConnection } from '@/components/runs/use-live-run';
import { TimeText } from '@/components/ui/time-text';
import { cx } from '@/components/ui/cx';
import type { TRunDetail } from '@/server/runs/get-run';
import { RunUsage } from '@/components/runs/run-usage';
import { RunTestBadge } from '@/components/runs/run-test-badge';

const CONNECTION: Record<TConnection, { text: string; dot: string }> = {
  live: { text: 'Live', dot: 'bg-success animate-pulse-soft' },
  connecting: { text: 'Connecting…', dot: 'bg-warning' },
  offline: { text: 'Offline: reload to catch up', dot: 'bg-danger' },
  ended: { text: 'Finished', dot: 'bg-ink-faint' },
};

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-[12px] text-ink-faint">{label}</dt>
      <dd className="truncate text-[13px] text-ink">{children}</dd>
    </div>
  );
}

/** Who started the run: a trigger type, with the run it reruns when it is one. */
function Trigger({ trigger }: { trigger: TRunDetail['trigger'] }) {
  if (trigger.type === 'rerun' && trigger.id) {
    return (
      <>
        rerun of{' '}
        <Link className="font-mono text-accent hover:underline" href={`/runs/${trigger.id}`}>
          {trigger.id.slice(0, 8)}
        </Link>
      </>
    );
  }
  return (
    <>
      {trigger.type}
      {trigger.id && <span className="font-mono text-ink-faint"> {trigger.id.slice(0, 8)}</span>}
    </>
  );
}

/** The run's facts: status, workflow version, trigger, timings, state, parent and child runs. */
export function RunHeader({ run, connection, now }: { run: TRunDetail; connection: TConnection; now: number }) {
  const live = CONNECTION[connection];
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <RunStatusBadge status={run.status} />
        <RunTestBadge run={run} />
        <Link
          href={`/workflows/${run.workflowKey}?pin=${run.id}`}
          className="text-[13px] text-accent hover:underline"
          title="Open the designer with this run's data on every step"
        >
          Debug in editor
        </Link>
        <span className="flex items-center gap-1.5 text-[12px] text-ink-muted" data-testid="run-connection">
          <span className={cx('size-2 rounded-full', live.dot)} aria-hidden />
          {live.text}
        </span>
      </div>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-3 sm:grid-cols-3">
        <Fact label="Workflow">
          <Link
            href={`/workflows/${run.workflowKey}`}
            className="text-accent hover:underline"
            title={`${run.workflowKey} version ${run.version}`}
          >
            {run.workflowKey} v{run.version}
          </Link>
        </Fact>
        <Fact label="State">{run.state ?? <span className="text-ink-faint">—</span>}</Fact>
        <Fact label="Trigger">
          <Trigger trigger={run.trigger} />
        </Fact>
        <Fact label="Created">
          <TimeText iso={run.createdAt} withTime />
        </Fact>
        <Fact label="Finished">
          <TimeText iso={run.completedAt} withTime />
        </Fact>
        <Fact label="Duration">
          {run.startedAt ? formatDuration(elapsed(run.startedAt, run.completedAt, now)) : 'not started'}
        </Fact>
        {run.usage.inputTokens + run.usage.outputTokens > 0 && (
          <Fact label="LLM tokens and cost">
            <RunUsage usage={run.usage} />
          </Fact>
        )}
        {run.parentRunId && (
          <Fact label="Parent run">
            <Link href={`/runs/${run.parentRunId}`} className="font-mono text-accent hover:underline">
              {run.parentRunId.slice(0, 8)}
            </Link>
          </Fact>
        )}
        {run.children.length > 0 && (
          <div className="col-span-2 min-w-0 sm:col-span-3">
            <dt className="text-[12px] text-ink-faint">Child runs</dt>
            <dd className="flex flex-wrap gap-2 text-[13px]">
              {run.children.map((child) => (
                <Link
                  key={child.id}
                  href={`/runs/${child.id}`}
                  className="flex items-center gap-1 font-mono text-accent hover:underline"
                >
                  {child.id.slice(0, 8)} <RunStatusBadge status={child.status} />
                </Link>
              ))}
            </dd>
          </div>
        )}
      </dl>
    </div>
  );
}
