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
      <dl className="grid grid-cols-[fit-content(40%)_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm" data-task-context>
        {Object.entries(value).map(([label, entry]) => (
          <div key={label} className="contents">
            {/* Wraps anywhere, so a label of one long word stays within its 40% and leaves the value room. */}
            <dt className="text-ink-muted [overflow-wrap:anywhere]">{label}</dt>
            <dd className="break-words text-ink">{entry === null ? '—' : String(entry)}</dd>
          </div>
        ))}
      </dl>
    );
  return <JsonView value={value} label="Context" />;
}
