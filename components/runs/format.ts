/** "850 ms", "12.4 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

/** "14:03:07.120" in UTC, for event logs and timelines where the date is the run's. */
export function formatClock(iso: string): string {
  return `${iso.slice(11, 23)}`;
}

/** The milliseconds between two ISO times, or until `now` when the second is missing. */
export function elapsed(from: string | null, to: string | null, now: number): number | null {
  if (!from) return null;
  return (to ? Date.parse(to) : now) - Date.parse(from);
}

const counts = new Intl.NumberFormat('en');

/** "100,000": a count with thousands separators, the same in the server's render and the browser's. */
export function formatCount(n: number): string {
  return counts.format(n);
}
