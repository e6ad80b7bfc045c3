/** A JSON value, indented and scrollable within a bounded box; `null` and absence read as such. */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  if (value === null || value === undefined) return <p className="text-[13px] text-ink-faint">No payload</p>;
  return (
    <pre
      aria-label={label}
      tabIndex={0}
      className="max-h-64 overflow-auto rounded-md border border-line bg-subtle/60 px-3 py-2 font-mono text-[12.5px] leading-relaxed text-ink"
    >
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
