import Link from 'next/link';
import { cx } from '@/components/ui/cx';
import { TimeText } from '@/components/ui/time-text';
import type { TOutboxMessage } from '@/server/email/outbox-message-record';

/** The outbox's messages, newest first; the open one is marked. */
export function OutboxList({ messages, selectedId }: { messages: TOutboxMessage[]; selectedId: string | null }) {
  return (
    <ul aria-label="Messages" className="divide-y divide-line overflow-hidden rounded-lg border border-line bg-surface">
      {messages.map((message) => {
        const selected = message.id === selectedId;
        return (
          <li key={message.id}>
            <Link
              href={`/outbox?message=${message.id}`}
              aria-current={selected ? 'true' : undefined}
              className={cx(
                'block px-4 py-3 transition-colors hover:bg-subtle',
                selected && 'bg-accent-soft hover:bg-accent-soft',
              )}
            >
              <div className="flex items-baseline justify-between gap-3">
                <span className="min-w-0 truncate text-[13px] text-ink-muted" title={message.to.join(', ')}>
                  To {message.to.join(', ')}
                </span>
                <span className="shrink-0 text-xs text-ink-faint">
                  <TimeText iso={message.createdAt} withTime />
                </span>
              </div>
              <p className="mt-0.5 truncate text-sm font-medium text-ink" title={message.subject}>
                {message.subject}
              </p>
              <p className="mt-0.5 truncate text-[13px] text-ink-muted">{message.text ?? 'HTML only'}</p>
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
