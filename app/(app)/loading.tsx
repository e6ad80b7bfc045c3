/** A quiet placeholder in the page's shape while its data loads; the shell stays put. */
export default function Loading() {
  return (
    <div aria-busy="true" aria-label="Loading" className="animate-pulse-soft">
      <div className="mb-2 h-6 w-40 rounded bg-subtle" />
      <div className="mb-8 h-4 w-80 max-w-full rounded bg-subtle" />
      <div className="overflow-hidden rounded-lg border border-line bg-surface">
        <div className="h-9 border-b border-line bg-subtle/60" />
        {[0, 1, 2, 3].map((row) => (
          <div key={row} className="flex h-12 items-center gap-6 border-b border-line px-4 last:border-b-0">
            <div className="h-3.5 w-1/4 rounded bg-subtle" />
            <div className="h-3.5 w-1/3 rounded bg-subtle" />
            <div className="h-3.5 w-16 rounded bg-subtle" />
          </div>
        ))}
      </div>
    </div>
  );
}
