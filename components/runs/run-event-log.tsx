'use client';

import { useState } from 'react';
import { JsonView } from '@/components/runs/json-view';
import { formatClock } from '@/components/runs/format';
import { cx } from '@/components/ui/cx';
import { LOG_LEVELS, logLevelAtLeast, ZLogLine, type TLogLevel } from '@/model/log-levels';
import type { TRunEventRecord } from '@/server/runs/list-run-events';

const SHOWN = 150;

/** What the log shows: every event, or only `log` events at or above a level. */
type TLevelFilter = 'all' | TLogLevel;

const LEVEL_TONE = {
  debug: 'text-ink-faint',
  info: 'text-accent',
  warn: 'text-warning',
  error: 'text-danger',
} as const satisfies Record<TLogLevel, string>;

function tone(type: string): string {
  if (type.endsWith('failed') || type === 'run.canceled') return 'text-danger';
  if (type.endsWith('succeeded')) return 'text-success';
  if (
    type === 'run.waiting' ||
    type === 'task.created' ||
    type === 'task.escalated' ||
    type === 'step.retry_scheduled' ||
    type === 'run.paused'
  )
    return 'text-warning';
  return 'text-ink-muted';
}

function hasDetail(data: unknown): boolean {
  return typeof data === 'object' && data !== null && Object.keys(data).length > 0;
}

/** A `log` event's level and message, or null for any other event (or a malformed one). */
function logLine(event: TRunEventRecord): { level: TLogLevel; message: string } | null {
  if (event.type !== 'log') return null;
  const parsed = ZLogLine.safeParse(event.data);
  return parsed.success ? parsed.data : null;
}

function passes(event: TRunEventRecord, filter: TLevelFilter): boolean {
  if (filter === 'all') return true;
  const line = logLine(event);
  return line !== null && logLevelAtLeast(line.level, filter);
}

/**
 * The run's event log, newest last; each event's data opens on click. Long logs show their
 * end. The level filter narrows it to `log` events (log steps, code.js console lines) at or
 * above a level.
 */
export function RunEventLog({ events }: { events: TRunEventRecord[] }) {
  const [all, setAll] = useState(false);
  const [open, setOpen] = useState<number | null>(null);
  const [filter, setFilter] = useState<TLevelFilter>('all');
  const filtered = filter === 'all' ? events : events.filter((event) => passes(event, filter));
  const shown = all ? filtered : filtered.slice(-SHOWN);
  if (events.length === 0) return <p className="px-4 py-6 text-sm text-ink-muted">No events yet.</p>;
  return (
    <div>
      <div className="flex flex-wrap items-center gap-2 border-b border-line px-4 py-2 text-[12px]">
        <label htmlFor="event-level" className="text-ink-muted">
          Show
        </label>
        <select
          id="event-level"
          value={filter}
          onChange={(event) => setFilter(event.target.value as TLevelFilter)}
          className="rounded-md border border-line bg-surface px-2 py-1 text-[12px] text-ink"
        >
          <option value="all">All events</option>
          {LOG_LEVELS.map((level) => (
            <option key={level} value={level}>
              {level === 'error' ? 'Logs: error' : `Logs: ${level} and above`}
            </option>
          ))}
        </select>
        {filter !== 'all' && (
          <span className="text-ink-faint">
            {filtered.length} of {events.length} events
          </span>
        )}
      </div>
      {filtered.length > shown.length && (
        <button
          type="button"
          className="w-full border-b border-line px-4 py-2 text-left text-[12px] text-accent hover:bg-subtle"
          onClick={() => setAll(true)}
        >
          Show the {filtered.length - shown.length} earlier events
        </button>
      )}
      {shown.length === 0 && <p className="px-4 py-6 text-sm text-ink-muted">No log events at this level.</p>}
      <ol className="divide-y divide-line font-mono text-[12px]" aria-label="Event log">
        {shown.map((event) => {
          const line = logLine(event);
          return (
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
                  {line ? (
                    <>
                      <span className={cx('font-medium uppercase', LEVEL_TONE[line.level])} data-log-level={line.level}>
                        {line.level}
                      </span>
                      {event.stepId && <span className="text-ink-muted"> · {event.stepId}</span>}
                      <span className="text-ink"> {line.message}</span>
                    </>
                  ) : (
                    <>
                      <span className={cx('font-medium', tone(event.type))}>{event.type}</span>
                      {event.stepId && <span className="text-ink-muted"> · {event.stepId}</span>}
                    </>
                  )}
                </span>
              </button>
              {open === event.seq && <JsonView value={event.data} className="mx-4 mb-2" label={`Event ${event.seq}`} />}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
