import { ChevronRight } from 'lucide-react';
import Link from 'next/link';
import { buttonClasses } from '@/components/ui/button';

/** The page's query with `cursor` set to `next`, or without a cursor (the first page) when null. */
export function pageHref(path: string, search: Record<string, string | string[] | undefined>, next: string | null) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(search)) {
    if (name === 'cursor' || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) query.append(name, one);
  }
  if (next) query.set('cursor', next);
  return query.size > 0 ? `${path}?${query}` : path;
}

/**
 * The links under a list read a page at a time: back to the first page (on a later one) and
 * on to the next (when there is more). Nothing when the list fits on one page.
 */
export function ListPages({
  path,
  search,
  onLaterPage,
  nextCursor,
  noun,
}: {
  path: string;
  search: Record<string, string | string[] | undefined>;
  onLaterPage: boolean;
  nextCursor: string | null;
  /** What the list holds, for the links' words: "workflows", "tasks". */
  noun: string;
}) {
  if (!onLaterPage && !nextCursor) return null;
  return (
    <nav className="mt-4 flex flex-wrap items-center justify-between gap-2 text-sm" aria-label="Pages">
      {onLaterPage ? (
        <Link href={pageHref(path, search, null)} className={buttonClasses('ghost', 'sm')}>
          Back to the first page
        </Link>
      ) : (
        <span />
      )}
      {nextCursor && (
        <Link href={pageHref(path, search, nextCursor)} className={buttonClasses('secondary', 'sm')}>
          Next page of {noun} <ChevronRight className="size-4" aria-hidden />
        </Link>
      )}
    </nav>
  );
}
