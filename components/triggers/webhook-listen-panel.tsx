'use client';

import { Ear, ShieldAlert, ShieldCheck, ShieldQuestion } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { readWebhookListenAction, startWebhookListenAction } from '@/app/(app)/workflows/[key]/triggers/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import type { TWebhookListen } from '@/server/triggers/webhook-listen';

const POLL_MS = 1500;

/** How long is left of a window, as "1:42". */
function remaining(expiresAt: string | null, now: number): string {
  const left = Math.max(0, Math.round(((expiresAt ? Date.parse(expiresAt) : now) - now) / 1000));
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
}

/**
 * "Listen for a test event": opens the server's two-minute window and polls it until the next
 * request arrives, then shows it (credential headers masked by the server, the body, what the
 * signature check said). The request itself is handled as usual.
 */
export function WebhookListenPanel({ triggerId }: { triggerId: string }) {
  const router = useRouter();
  const [listen, setListen] = useState<TWebhookListen | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const start = useServerAction(startWebhookListenAction);
  const poll = useServerAction(readWebhookListenAction);
  const listening = listen?.status === 'listening';
  const pollRun = poll.run;

  useEffect(() => {
    if (!listening) return;
    const timer = setInterval(() => {
      setNow(Date.now());
      pollRun({ id: triggerId }, (data) => {
        setListen(data);
        // The request also shows in the card's Last firings: refresh the page's server part.
        if (data.status === 'captured') router.refresh();
      });
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [listening, triggerId, pollRun, router]);

  const request = listen?.request ?? null;
  return (
    <section aria-label="Listen for a test event" className="mt-3 flex flex-col gap-2 border-t border-line pt-3">
      <div className="flex flex-wrap items-center gap-2">
        <Button
          size="sm"
          variant="secondary"
          loading={start.pending}
          onClick={() =>
            start.run({ id: triggerId }, (data) => {
              setNow(Date.now());
              setListen(data);
            })
          }
        >
          {!start.pending && <Ear className="size-3.5" aria-hidden />}
          {listening ? 'Restart listening' : 'Listen for a test event'}
        </Button>
        <p className="text-[12px] text-ink-muted" role="status">
          {listening && `Waiting for the next request to this URL… ${remaining(listen.expiresAt, now)} left`}
          {listen?.status === 'expired' && 'Nothing arrived in two minutes.'}
          {listen?.status === 'captured' &&
            listen.capturedAt &&
            `Received ${new Date(listen.capturedAt).toLocaleTimeString()}.`}
          {!listen && 'Shows the next request this webhook receives (for two minutes); it still starts its run.'}
        </p>
      </div>
      <FormError message={start.error?.message ?? poll.error?.message} />
      {request && (
        <div className="flex min-w-0 flex-col gap-2 text-[13px]" aria-label="Received request">
          <p className="flex items-center gap-1.5">
            {request.signature.ok === true && <ShieldCheck className="size-4 text-success" aria-hidden />}
            {request.signature.ok === false && <ShieldAlert className="size-4 text-danger" aria-hidden />}
            {request.signature.ok === null && <ShieldQuestion className="size-4 text-ink-faint" aria-hidden />}
            <span>
              Signature:{' '}
              <strong>
                {request.signature.ok === true ? 'valid' : request.signature.ok === false ? 'invalid' : 'not checked'}
              </strong>{' '}
              <span className="text-ink-muted">({request.signature.message})</span>
            </span>
          </p>
          <details>
            <summary className="cursor-pointer text-ink-muted">Headers ({request.headers.length})</summary>
            <dl className="mt-1 grid grid-cols-[max-content_minmax(0,1fr)] gap-x-3 gap-y-0.5 font-mono text-[12px]">
              {request.headers.map((header) => (
                <div key={header.name} className="contents">
                  <dt className="text-ink-faint">{header.name}</dt>
                  <dd className={header.masked ? 'text-ink-muted' : 'break-all text-ink'}>{header.value}</dd>
                </div>
              ))}
            </dl>
          </details>
          <div>
            <p className="text-[12px] text-ink-faint">
              Body ({request.bytes} bytes{request.bodyTruncated ? ', first 16 KiB shown' : ''})
            </p>
            <pre className="max-h-64 overflow-auto rounded-md bg-subtle p-2 font-mono text-[12px] break-all whitespace-pre-wrap text-ink">
              {prettyBody(request.body)}
            </pre>
          </div>
        </div>
      )}
    </section>
  );
}

function prettyBody(body: string): string {
  if (body.trim() === '') return '(empty)';
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch (error) {
    // Not JSON (a form post, plain text): shown as it came.
    if (!(error instanceof SyntaxError)) throw error;
    return body;
  }
}
