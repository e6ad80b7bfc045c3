import type { Metadata } from 'next';
import Link from 'next/link';
import { Radio } from 'lucide-react';
import { z } from 'zod';
import { EventCard } from '@/components/events/event-card';
import { EventFilters } from '@/components/events/event-filters';
import { buttonClasses } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageContext } from '@/server/auth/require-page-context';
import { getDb } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { EVENT_MATCHES, listEvents } from '@/server/events/list-events';

export const metadata: Metadata = { title: 'Events' };

// Unknown or repeated query values fall back to "no filter" rather than an error page.
const ZSearch = z.object({
  name: z.string().max(200).catch(''),
  match: z.enum(EVENT_MATCHES).or(z.literal('')).catch(''),
  cursor: z.string().max(500).optional().catch(undefined),
});

/** Recent events of the tenant, matched and unmatched, with their payloads and the runs they moved. */
export default async function EventsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const ctx = await requirePageContext('/events');
  const { name, match, cursor } = ZSearch.parse(await searchParams);
  const page = await listEvents({
    db: getDb(),
    ctx,
    input: { name: name || undefined, match: match || undefined, cursor, limit: 25 },
  }).catch((error: unknown) => {
    // A hand-edited or stale `cursor` is the only VALIDATION failure possible here.
    if (error instanceof AppError && error.code === 'VALIDATION') return null;
    throw error;
  });
  const header = (
    <PageHeader
      title="Events"
      description="Events received through POST /api/v1/events or the events.emit action, newest first, with the runs they resumed or started."
    />
  );
  if (!page) {
    return (
      <>
        {header}
        <EmptyState
          icon={Radio}
          title="This page link is not valid"
          actions={
            <Link href="/events" className={buttonClasses('secondary')}>
              Show the newest events
            </Link>
          }
        />
      </>
    );
  }
  const filtered = name !== '' || match !== '';
  const next = page.nextCursor
    ? `/events?${new URLSearchParams({ ...(name ? { name } : {}), ...(match ? { match } : {}), cursor: page.nextCursor })}`
    : null;
  return (
    <>
      {header}
      <EventFilters name={name} match={match} />
      {page.items.length === 0 ? (
        filtered ? (
          <EmptyState
            icon={Radio}
            title="No events match these filters"
            actions={
              <Link href="/events" className={buttonClasses('secondary')}>
                Show all events
              </Link>
            }
          />
        ) : (
          <EmptyState icon={Radio} title="No events yet">
            Send one with <code className="font-mono text-[13px]">POST /api/v1/events</code> or an{' '}
            <code className="font-mono text-[13px]">events.emit</code> step; waiting runs with the same name and
            correlation key resume.
          </EmptyState>
        )
      ) : (
        <>
          <ul className="space-y-3" aria-label="Events">
            {page.items.map((event) => (
              <li key={event.id}>
                <EventCard event={event} />
              </li>
            ))}
          </ul>
          <div className="mt-5 flex justify-between gap-3">
            {cursor ? (
              <Link
                href={
                  filtered
                    ? `/events?${new URLSearchParams({ ...(name ? { name } : {}), ...(match ? { match } : {}) })}`
                    : '/events'
                }
                className={buttonClasses('ghost')}
              >
                Newest
              </Link>
            ) : (
              <span />
            )}
            {next && (
              <Link href={next} className={buttonClasses('secondary')}>
                Older events
              </Link>
            )}
          </div>
        </>
      )}
    </>
  );
}
