import type { ReactNode } from 'react';

/** A one-click link page's verdict: a heading and a sentence saying why. */
export function TaskLinkMessage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div data-task-link-message>
      <h2 className="text-sm font-semibold">{title}</h2>
      <p className="mt-1 text-sm text-ink-muted">{children}</p>
    </div>
  );
}
