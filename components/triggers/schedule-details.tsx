/**
 * The zone's abbreviation at an instant. Each locale knows the names of its own region
 * (en-GB: CET/BST, en-US: EST/PDT) and writes "GMT-5" for the rest, so take the first real name.
 */
function zoneName(date: Date, timeZone: string): string {
  const names = ['en-GB', 'en-US'].map(
    (locale) =>
      new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' })
        .formatToParts(date)
        .find((part) => part.type === 'timeZoneName')?.value ?? '',
  );
  return names.find((name) => name !== '' && !/^(GMT|UTC)([+-]|$)/.test(name)) ?? names[0] ?? timeZone;
}

/** "Thu, 3 Dec 2026, 09:00 CET" in the schedule's own time zone. */
export function formatInZone(iso: string, timeZone: string): string {
  const date = new Date(iso);
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(date);
  return `${local} ${zoneName(date, timeZone)}`;
}

/** A schedule's cron and time zone, and when it fires next (in that zone, so DST shifts show as they will happen). */
export function ScheduleDetails({
  cron,
  timezone,
  nextFireTimes,
  enabled,
  input,
}: {
  cron: string;
  timezone: string;
  nextFireTimes: string[];
  enabled: boolean;
  input?: Record<string, unknown>;
}) {
  return (
    <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
      <dl className="grid content-start grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1.5 text-[13px]">
        <dt className="text-ink-faint">Cron</dt>
        <dd>
          <code className="font-mono text-ink">{cron}</code>
        </dd>
        <dt className="text-ink-faint">Time zone</dt>
        <dd className="text-ink">{timezone}</dd>
        <dt className="text-ink-faint">Input</dt>
        <dd className="min-w-0">
          {input ? (
            <code className="block truncate font-mono text-[12px] text-ink" title={JSON.stringify(input)}>
              {JSON.stringify(input)}
            </code>
          ) : (
            <span className="text-ink-muted">none (an empty object)</span>
          )}
        </dd>
      </dl>
      <div className="min-w-0">
        <p className="mb-1 text-[12px] font-medium text-ink-faint">
          {enabled ? `Next fire times (${timezone})` : `Would fire at (${timezone}), once enabled`}
        </p>
        <ol aria-label="Next fire times" className="flex flex-col gap-0.5 text-[13px] text-ink tabular-nums">
          {nextFireTimes.map((iso) => (
            <li key={iso}>
              <time dateTime={iso} title={iso}>
                {formatInZone(iso, timezone)}
              </time>
            </li>
          ))}
        </ol>
      </div>
    </div>
  );
}
