'use client';

import { useEffect, useState } from 'react';
import { previewScheduleAction } from '@/app/(app)/workflows/[key]/triggers/server-actions';
import { formatInZone } from '@/components/triggers/schedule-details';
import type { TServerActionResult } from '@/model/server-action-result';

type TPreview = { timezone: string; times: string[] };
type TState = { status: 'idle' } | { status: 'ok'; preview: TPreview } | { status: 'problem'; message: string };

/**
 * The next five fire times of the cron being typed, in the schedule's time zone and (when
 * different) the viewer's, asked of the server after a short pause so it is the same check a
 * save makes. Problems with the cron or zone show at their fields once saved; here they only
 * stop the preview.
 */
export function SchedulePreview({ cron, timezone }: { cron: string; timezone: string }) {
  const [state, setState] = useState<TState>({ status: 'idle' });
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  useEffect(() => {
    if (cron.trim().split(/\s+/).length !== 5 || timezone.trim() === '') {
      setState({ status: 'idle' });
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      previewScheduleAction({ cron: cron.trim(), timezone: timezone.trim() }).then(
        (result: TServerActionResult<TPreview>) => {
          if (!current) return;
          setState(
            result.ok ? { status: 'ok', preview: result.data } : { status: 'problem', message: result.error.message },
          );
        },
        (error: unknown) => {
          if (current) setState({ status: 'problem', message: `Could not ask the server: ${String(error)}` });
        },
      );
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [cron, timezone]);

  return (
    <section
      aria-label="Next fire times preview"
      className="rounded-md border border-line bg-subtle/50 px-3 py-2"
      aria-live="polite"
    >
      <p className="mb-1 text-[12px] font-medium text-ink-faint">Next 5 fire times</p>
      {state.status === 'idle' && (
        <p className="text-[13px] text-ink-muted">Type a cron with five fields and a time zone to see when it fires.</p>
      )}
      {state.status === 'problem' && <p className="text-[13px] text-danger">{state.message}</p>}
      {state.status === 'ok' && (
        <ol className="flex flex-col gap-0.5 text-[13px] text-ink tabular-nums">
          {state.preview.times.map((iso) => (
            <li key={iso} className="[overflow-wrap:anywhere]">
              <time dateTime={iso}>{formatInZone(iso, state.preview.timezone)}</time>
              {local !== state.preview.timezone && (
                <span className="text-ink-faint"> · {formatInZone(iso, local)} your time</span>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
