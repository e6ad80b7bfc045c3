import type { Metadata } from 'next';
import Link from 'next/link';
import { Mail } from 'lucide-react';
import { z } from 'zod';
import { OutboxList } from '@/components/outbox/outbox-list';
import { OutboxMessageView } from '@/components/outbox/outbox-message-view';
import { buttonClasses } from '@/components/ui/button';
import { cx } from '@/components/ui/cx';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageContext } from '@/server/auth/require-page-context';
import { getDb } from '@/server/db/database';
import { getOutboxMessage } from '@/server/email/get-outbox-message';
import { listOutboxMessages } from '@/server/email/list-outbox-messages';
import { AppError } from '@/model/errors';

export const metadata: Metadata = { title: 'Outbox' };

const ZSearch = z.object({ message: z.string().max(100).optional().catch(undefined) });

/** Emails kept because no SMTP_URL is set: a list, and the open message beside it (below it on phones). */
export default async function OutboxPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const ctx = await requirePageContext('/outbox');
  const { message: selectedId } = ZSearch.parse(await searchParams);
  const db = getDb();
  const { items } = await listOutboxMessages({ db, ctx, input: { limit: 100 } });
  const selected = selectedId
    ? await getOutboxMessage({ db, ctx, id: selectedId }).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'NOT_FOUND') return null;
        throw error;
      })
    : null;
  const header = (
    <PageHeader
      title="Outbox"
      description="Emails sent by workflows while no SMTP server is configured (SMTP_URL). With one, they are delivered instead."
    />
  );
  if (items.length === 0 && !selected) {
    return (
      <>
        {header}
        <EmptyState icon={Mail} title={selectedId ? 'This message is not in the outbox' : 'No messages'}>
          An <code className="font-mono text-[13px]">email.send</code> step keeps its message here when{' '}
          <code className="font-mono text-[13px]">SMTP_URL</code> is not set.
        </EmptyState>
      </>
    );
  }
  return (
    <>
      {header}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,22rem)_minmax(0,1fr)] lg:items-start">
        <div className={cx('min-w-0', selectedId && 'hidden lg:block')}>
          <OutboxList messages={items} selectedId={selected?.id ?? null} />
        </div>
        {selected ? (
          <OutboxMessageView message={selected} />
        ) : selectedId ? (
          <EmptyState
            icon={Mail}
            title="This message is not in the outbox"
            actions={
              <Link href="/outbox" className={buttonClasses('secondary')}>
                All messages
              </Link>
            }
          />
        ) : (
          <div className="hidden rounded-lg border border-dashed border-line-strong p-10 text-center text-sm text-ink-muted lg:block">
            Choose a message to read it.
          </div>
        )}
      </div>
    </>
  );
}
