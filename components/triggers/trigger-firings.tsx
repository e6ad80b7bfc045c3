import Link from 'next/link';
import { RunStatusBadge } from '@/components/runs/run-status-badge';
import { Badge, type TBadgeTone } from '@/components/ui/badge';
import { TimeText } from '@/components/ui/time-text';
import { ZRunStatus } from '@/model/run-status';
import type { TTriggerFiring } from '@/server/triggers/list-trigger-firings';
import type { TFiringOutcome } from '@/server/triggers/trigger-record';

const OUTCOME_TONE = {
  started: 'success',
  duplicate: 'neutral',
  rejected: 'warning',
  failed: 'danger',
} as const satisfies Record<TFiringOutcome, TBadgeTone>;

/** A trigger's latest firings, newest first: when, what happened, and the run it started. */
export function TriggerFirings({ firings }: { firings: TTriggerFiring[] }) {
  return (
    <section aria-label="Last firings" className="border-t border-line px-4 py-3">
      <h3 className="mb-2 text-[12px] font-medium tracking-wide text-ink-faint uppercase">Last firings</h3>
      {firings.length === 0 ? (
        <p className="text-[13px] text-ink-muted">Not fired yet.</p>
      ) : (
        <ul className="flex flex-col gap-1.5">
          {firings.map((firing) => {
            const status = ZRunStatus.safeParse(firing.runStatus);
            return (
              <li
                key={firing.id}
                data-testid="trigger-firing"
                className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1 text-[13px]"
              >
                <span className="w-40 shrink-0 text-ink-muted">
                  <TimeText iso={firing.firedAt} withTime />
                </span>
                <Badge tone={OUTCOME_TONE[firing.outcome]}>{firing.outcome}</Badge>
                {firing.runId ? (
                  <Link
                    href={`/runs/${firing.runId}`}
                    className="font-mono text-[12px] text-accent hover:underline"
                    aria-label={`Run ${firing.runId}`}
                  >
                    run {firing.runId.slice(0, 8)}
                  </Link>
                ) : null}
                {status.success && <RunStatusBadge status={status.data} />}
                {firing.runId && !status.success && <span className="text-ink-faint">run deleted</span>}
                {firing.message && (
                  <span className="min-w-0 flex-1 truncate text-ink-muted" title={firing.message}>
                    {firing.message}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
