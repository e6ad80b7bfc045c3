import { JsonView } from '@/components/runs/json-view';

function isFlatRecord(value: unknown): value is Record<string, string | number | boolean | null> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => entry === null || ['string', 'number', 'boolean'].includes(typeof entry))
  );
}

/** A task's `context`, read-only: a flat object as label/value pairs, anything else as JSON. */
export function TaskContext({ value }: { value: unknown }) {
  if (isFlatRecord(value))
    return (
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm" data-task-context>
        {Object.entries(value).map(([label, entry]) => (
          <div key={label} className="contents">
            <dt className="text-ink-muted">{label}</dt>
            <dd className="break-words text-ink">{entry === null ? '—' : String(entry)}</dd>
          </div>
        ))}
      </dl>
    );
  return <JsonView value={value} label="Context" />;
}
