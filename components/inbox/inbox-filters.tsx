import Link from 'next/link';
import { buttonClasses } from '@/components/ui/button';
import { INPUT_CLASSES } from '@/components/ui/input';

export type TInboxFilterValues = {
  assigned: string;
  status: string;
  workflow: string;
  q: string;
  overdue: boolean;
  claimed: string;
  sort: string;
};

const SELECT = `${INPUT_CLASSES} w-auto pr-8`;

/**
 * The inbox's filters as a plain GET form: the URL holds them, so a filtered inbox can be
 * bookmarked and the back button works; without JavaScript it still filters.
 */
export function InboxFilters({ values, invalid }: { values: TInboxFilterValues; invalid: boolean }) {
  const preset = ['me', 'anyone'].includes(values.assigned) ? values.assigned : 'person';
  return (
    <form method="get" action="/inbox" className="mb-4 flex flex-wrap items-end gap-2" aria-label="Filter tasks">
      <label className="flex flex-col gap-1 text-[13px] text-ink-muted">
        Assigned to
        <select
          name="assigned"
          defaultValue={preset === 'person' ? values.assigned : values.assigned}
          className={SELECT}
        >
          <option value="me">Me and my role</option>
          <option value="anyone">Anyone</option>
          {preset === 'person' && <option value={values.assigned}>{values.assigned}</option>}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-[13px] text-ink-muted">
        Status
        <select name="status" defaultValue={values.status} className={SELECT}>
          <option value="open">Open</option>
          <option value="completed">Completed</option>
          <option value="expired">Expired</option>
          <option value="canceled">Canceled</option>
          <option value="any">Any</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-[13px] text-ink-muted">
        Claim
        <select name="claimed" defaultValue={values.claimed} className={SELECT}>
          <option value="">Any</option>
          <option value="true">Claimed</option>
          <option value="false">Unclaimed</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-[13px] text-ink-muted">
        Sort
        <select name="sort" defaultValue={values.sort} className={SELECT}>
          <option value="created">Newest</option>
          <option value="due">Due soonest</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-[13px] text-ink-muted">
        Workflow
        <input name="workflow" defaultValue={values.workflow} placeholder="key" className={`${INPUT_CLASSES} w-36`} />
      </label>
      <label className="flex min-w-40 flex-1 flex-col gap-1 text-[13px] text-ink-muted">
        Search titles
        <input name="q" type="search" defaultValue={values.q} placeholder="invoice" className={INPUT_CLASSES} />
      </label>
      <label className="flex h-9 items-center gap-2 text-sm text-ink">
        <input type="checkbox" name="overdue" value="true" defaultChecked={values.overdue} /> Overdue
      </label>
      <button type="submit" className={buttonClasses('secondary')}>
        Filter
      </button>
      <Link href="/inbox" className={buttonClasses('ghost')}>
        Reset
      </Link>
      {invalid && (
        <p className="w-full text-[13px] text-danger" role="alert">
          Those filters do not parse (a person must be an email address); nothing is listed.
        </p>
      )}
    </form>
  );
}
