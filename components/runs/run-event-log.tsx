'use client';

import { useState } from 'react';
import { JsonView } from '@/components/runs/json-view';
import { formatClock } from '@/components/runs/format';
import { cx } from '@/components/ui/cx';
import type { TRunEventRecord } from '@/server/runs/list-run-events';

const SHOWN = 150;

function tone(type: string): string {
  if (type.endsWith('failed') || type === 'run.canceled') return 'text-danger';
  if (type.endsWith('succeeded')) return 'text-success';
  if (type === 'run.waiting' || type === 'task.created' || type === 'step.retry_scheduled' || type === 'run.paused')
    return 'text-warning';
  return 'text-ink-muted';
}

function hasDetail(data: unknown): boolean {
  return typeof data === 'object' && data !== null && Object.keys(data).length > 0;
}

/** The run's event log, newest last; each event's data opens on click. Long logs show their end. */
export function RunEventLog({ events }: { events: TRunEventRecord[] }) {
  const [all, setAll] = useState(false);
  const [open, setOpen] = useState<number | null>(null);
  const shown = all ? events : events.slice(-SHOWN);
  if (events.length === 0) return <p className="px-4 py-6 text-sm text-ink-muted">No events yet.</p>;
  return (
    <div>
      {events.length > shown.length && (
        <button
          type="button"
          className="w-full border-b border-line px-4 py-2 text-left text-[12px] text-accent hover:bg-subtle"
          onClick={() => setAll(true)}
        >
          Show the {events.length - shown.length} earlier events
        </button>
      )}
      <ol className="divide-y divide-line font-mono text-[12px]" aria-label="Event log">
        {shown.map((event) => (
          <li key={event.seq}>
            <button
              type="button"
              disabled={!hasDetail(event.data)}
              onClick={() => setOpen(open === event.seq ? null : event.seq)}
              aria-expanded={hasDetail(event.data) ? open === event.seq : undefined}
              className="grid w-full grid-cols-[2.5rem_6.5rem_minmax(0,1fr)] gap-2 px-4 py-1.5 text-left enabled:hover:bg-subtle"
            >
              <span className="text-ink-faint tabular-nums">{event.seq}</span>
              <span className="text-ink-faint tabular-nums">{formatClock(event.at)}</span>
              <span className="min-w-0 truncate">
                <span className={cx('font-medium', tone(event.type))}>{event.type}</span>
                {event.stepId && <span className="text-ink-muted"> · {event.stepId}</span>}
              </span>
            </button>
            {open === event.seq && <JsonView value={event.data} className="mx-4 mb-2" label={`Event ${event.seq}`} />}
          </li>
        ))}
      </ol>
    </div>
  );
}
