import { ArrowLeft } from 'lucide-react';
import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { TimeText } from '@/components/ui/time-text';
import type { TOutboxMessage } from '@/server/email/outbox-message-record';

/**
 * One kept message as its recipient would read it. The HTML version is rendered in a
 * sandboxed frame: no scripts, no forms, no access to this page or its cookies.
 */
export function OutboxMessageView({ message }: { message: TOutboxMessage }) {
  return (
    <Card className="min-w-0 p-4 md:p-5">
      <Link
        href="/outbox"
        className="mb-3 inline-flex items-center gap-1 text-[13px] text-ink-muted hover:text-ink lg:hidden"
      >
        <ArrowLeft className="size-3.5" aria-hidden /> All messages
      </Link>
      <h2 className="text-base font-semibold break-words text-ink">{message.subject}</h2>
      <dl className="mt-3 grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 text-[13px]">
        <dt className="text-ink-muted">From</dt>
        <dd className="break-all text-ink">{message.from}</dd>
        <dt className="text-ink-muted">To</dt>
        <dd className="break-all text-ink">{message.to.join(', ')}</dd>
        <dt className="text-ink-muted">Kept</dt>
        <dd className="text-ink">
          <TimeText iso={message.createdAt} withTime />
        </dd>
        {message.runId && (
          <>
            <dt className="text-ink-muted">Sent by</dt>
            <dd>
              <Link
                href={`/runs/${message.runId}`}
                className="font-mono text-accent underline-offset-2 hover:underline"
                title={message.runId}
              >
                run {message.runId.slice(0, 8)}
              </Link>
              {message.stepPath && <span className="text-ink-muted"> · {message.stepPath}</span>}
            </dd>
          </>
        )}
        <dt className="text-ink-muted">Message-ID</dt>
        <dd className="font-mono break-all text-ink-muted">{message.messageId}</dd>
      </dl>
      {message.text !== null && (
        <section aria-label="Text version" className="mt-4 border-t border-line pt-4">
          <pre className="font-sans text-sm leading-relaxed break-words whitespace-pre-wrap text-ink">
            {message.text}
          </pre>
        </section>
      )}
      {message.html !== null && (
        <section aria-label="HTML version" className="mt-4 border-t border-line pt-4">
          <h3 className="mb-2 text-xs font-medium text-ink-muted">HTML version</h3>
          <iframe
            sandbox=""
            srcDoc={message.html}
            title={`HTML version of ${message.subject}`}
            className="h-96 w-full rounded-md border border-line bg-white"
          />
        </section>
      )}
    </Card>
  );
}
