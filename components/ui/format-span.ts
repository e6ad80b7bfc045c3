/** A configured span of time in round words: "45 s", "15 min", "2 h", "1 h 30 min", "3 days". */
export function formatSpan(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  if (min < 24 * 60) return min % 60 === 0 ? `${min / 60} h` : `${Math.floor(min / 60)} h ${min % 60} min`;
  const days = Math.round((min / 1440) * 10) / 10;
  return `${days} ${days === 1 ? 'day' : 'days'}`;
}
