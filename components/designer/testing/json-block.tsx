'use client';

/** A bounded, wrapped JSON block for test results and pinned data (never wider than its panel). */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  return (
    <pre
      aria-label={label}
      className="max-h-48 min-w-0 overflow-auto rounded-md border border-line bg-subtle px-2 py-1.5 font-mono text-[12px] leading-5 break-all whitespace-pre-wrap text-ink"
    >
      {JSON.stringify(value, null, 2) ?? 'undefined'}
    </pre>
  );
}
