import type { ReactNode } from 'react';

/** The title row of a page, with its one-line purpose and the page's main actions. */
export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-wrap items-start justify-between gap-x-6 gap-y-3">
      <div className="min-w-0">
        {/* A name or key without spaces wraps anywhere rather than widening the page on a phone. */}
        <h1 className="text-xl font-semibold tracking-tight break-words text-ink">{title}</h1>
        {description && <p className="mt-1 text-sm break-words text-ink-muted">{description}</p>}
      </div>
      {actions && <div className="flex max-w-full flex-wrap items-center gap-2">{actions}</div>}
    </div>
  );
}
