import { formatDate, formatDateTime } from '@/components/ui/format-date';

/** A date as text with the exact instant in the tooltip; an em dash when there is none. */
export function TimeText({ iso, withTime = false }: { iso: string | null; withTime?: boolean }) {
  if (!iso) return <span className="text-ink-faint">—</span>;
  return (
    <time dateTime={iso} title={iso} className="whitespace-nowrap">
      {withTime ? formatDateTime(iso) : formatDate(iso)}
    </time>
  );
}
