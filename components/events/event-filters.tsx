import Link from 'next/link';
import { buttonClasses } from '@/components/ui/button';
import { INPUT_CLASSES } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { cx } from '@/components/ui/cx';

/** A plain GET form: filters live in the URL, so a filtered list can be linked and reloaded. */
export function EventFilters({ name, match }: { name: string; match: string }) {
  return (
    <form method="get" action="/events" role="search" className="mb-5 flex flex-wrap items-end gap-3">
      <div className="flex min-w-48 flex-1 flex-col gap-1.5 sm:max-w-xs">
        <Label htmlFor="event-name">Event name</Label>
        <input
          id="event-name"
          name="name"
          type="search"
          defaultValue={name}
          placeholder="e.g. invoice.paid"
          className={INPUT_CLASSES}
        />
      </div>
      <div className="flex w-40 flex-col gap-1.5">
        <Label htmlFor="event-match">Shows</Label>
        <select id="event-match" name="match" defaultValue={match} className={cx(INPUT_CLASSES, 'pr-8')}>
          <option value="">All events</option>
          <option value="matched">Matched</option>
          <option value="unmatched">Unmatched</option>
        </select>
      </div>
      <div className="flex gap-2">
        <button type="submit" className={buttonClasses('secondary')}>
          Filter
        </button>
        {(name || match) && (
          <Link href="/events" className={buttonClasses('ghost')}>
            Clear
          </Link>
        )}
      </div>
    </form>
  );
}
