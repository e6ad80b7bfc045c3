'use client';

import { useEffect, useState } from 'react';
import { getStepSnapshotAction } from '@/app/(app)/runs/server-actions';
import { JsonView } from '@/components/runs/json-view';
import { formatClock, formatDuration } from '@/components/runs/format';
import type { TTimelineStep } from '@/components/runs/step-tree';
import { Badge } from '@/components/ui/badge';
import { cx } from '@/components/ui/cx';
import type { TSnapshotRecord } from '@/server/runs/list-run-snapshots';

type TSnapshotState =
  | { recordId: string; status: 'loading' }
  | { recordId: string; status: 'done'; snapshot: TSnapshotRecord | null }
  | { recordId: string; status: 'error'; message: string };

function Section({ title, children, extra }: { title: string; children: React.ReactNode; extra?: React.ReactNode }) {
  return (
    <section className="flex flex-col gap-1.5">
      <h4 className="flex items-center gap-2 text-[12px] font-semibold tracking-wide text-ink-muted uppercase">
        {title}
        {extra}
      </h4>
      {children}
    </section>
  );
}

/** The envelope after an attempt, loaded when the attempt is shown (a long run has hundreds). */
function Snapshot({ runId, recordId }: { runId: string; recordId: string }) {
  const [state, setState] = useState<TSnapshotState>({ recordId, status: 'loading' });
  useEffect(() => {
    let current = true;
    getStepSnapshotAction({ id: runId, stepRecordId: recordId }).then(
      (result) => {
        if (!current) return;
        setState(
          result.ok
            ? { recordId, status: 'done', snapshot: result.data }
            : { recordId, status: 'error', message: result.error.message },
        );
      },
      (error: unknown) => current && setState({ recordId, status: 'error', message: (error as Error).message }),
    );
    return () => {
      current = false;
    };
  }, [runId, recordId]);
  if (state.recordId !== recordId || state.status === 'loading')
    return <p className="text-[13px] text-ink-faint">Loading the snapshot…</p>;
  if (state.status === 'error')
    return <p className="text-[13px] text-danger">Could not load the snapshot: {state.message}</p>;
  if (!state.snapshot)
    return <p className="text-[13px] text-ink-faint">No snapshot: one is kept after each step that succeeds.</p>;
  return (
    <>
      {state.snapshot.truncated && (
        <p className="text-[12px] text-warning">
          This snapshot was over the size cap ({state.snapshot.sizeBytes.toLocaleString('en')} bytes kept); the largest
          values are marked as truncated.
        </p>
      )}
      <JsonView value={state.snapshot.snapshot} label="Snapshot" />
    </>
  );
}

/** One step of the run: each attempt's resolved input, output, error, and the envelope after it. */
export function StepDetail({ runId, node }: { runId: string; node: TTimelineStep }) {
  const [chosen, setChosen] = useState<number | null>(null);
  const attempt = node.attempts.find((a) => a.attempt === chosen) ?? node.attempts.at(-1) ?? null;
  return (
    <div className="flex flex-col gap-4 p-4" data-testid="step-detail">
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="min-w-0 text-sm font-semibold break-all text-ink">{node.stepId}</h3>
        <span className="font-mono text-[12px] text-ink-faint">{node.type}</span>
        <Badge
          tone={
            node.status === 'FAILED'
              ? 'danger'
              : node.status === 'SUCCEEDED'
                ? 'success'
                : node.status === 'WAITING'
                  ? 'warning'
                  : node.status === 'RUNNING'
                    ? 'accent'
                    : 'neutral'
          }
        >
          {node.status.toLowerCase()}
        </Badge>
      </div>
      <p className="font-mono text-[11px] break-all text-ink-faint">{node.path}</p>
      {node.attempts.length > 1 && (
        <div className="flex flex-wrap gap-1" role="tablist" aria-label="Attempts">
          {node.attempts.map((a) => (
            <button
              key={a.id}
              type="button"
              role="tab"
              aria-selected={a.id === attempt?.id}
              onClick={() => setChosen(a.attempt)}
              className={cx(
                'rounded-md border px-2 py-0.5 text-[12px]',
                a.id === attempt?.id
                  ? 'border-accent bg-accent-soft text-accent'
                  : 'border-line text-ink-muted hover:bg-subtle',
                a.status === 'FAILED' && a.id !== attempt?.id && 'text-danger',
              )}
            >
              Attempt {a.attempt} · {a.status.toLowerCase()}
            </button>
          ))}
        </div>
      )}
      {node.retryAt && (
        <p className="text-[13px] text-warning">
          Attempt {(node.attempts.at(-1)?.attempt ?? 0) + 1} is scheduled for {formatClock(node.retryAt)} UTC.
        </p>
      )}
      {!attempt ? (
        <p className="text-[13px] text-ink-muted">
          This block is still running; its record is written when it ends. Its nested steps are listed under it.
        </p>
      ) : (
        <>
          <p className="text-[12px] text-ink-muted">
            Started {formatClock(attempt.startedAt)} UTC ·{' '}
            {attempt.completedAt ? `took ${formatDuration(attempt.durationMs)}` : 'not finished'}
          </p>
          {attempt.error !== null && (
            <Section title="Error">
              <JsonView value={attempt.error} label="Error" className="border-danger/30" />
            </Section>
          )}
          <Section title="Input">
            {attempt.input === null ? (
              <p className="text-[13px] text-ink-faint">No resolved input (block and control steps have none).</p>
            ) : (
              <JsonView value={attempt.input} label="Input" />
            )}
          </Section>
          <Section title="Output">
            {attempt.output === null ? (
              <p className="text-[13px] text-ink-faint">No output.</p>
            ) : (
              <JsonView value={attempt.output} label="Output" />
            )}
          </Section>
          <Section title="Envelope after this step">
            {/* Keyed by status too: a waiting step gets its snapshot when it succeeds, same record. */}
            <Snapshot key={`${attempt.id}:${attempt.status}`} runId={runId} recordId={attempt.id} />
          </Section>
        </>
      )}
    </div>
  );
}
