import Link from 'next/link';
import { JsonBlock } from '@/components/events/json-block';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { TimeText } from '@/components/ui/time-text';
import type { TEventRecord } from '@/server/events/event-record';

function RunLinks({ label, runIds }: { label: string; runIds: string[] }) {
  if (runIds.length === 0) return null;
  return (
    <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-[13px]">
      <span className="text-ink-muted">{label}</span>
      {runIds.map((id) => (
        <Link
          key={id}
          href={`/runs/${id}`}
          title={id}
          className="rounded font-mono text-accent underline-offset-2 hover:underline"
        >
          {id.slice(0, 8)}
        </Link>
      ))}
    </div>
  );
}

/** One received event: name, correlation key, when, what it resumed and started, and its payload. */
export function EventCard({ event }: { event: TEventRecord }) {
  const matched = event.resumed.length + event.started.length > 0;
  return (
    <Card className="p-4">
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-1">
        <div className="flex min-w-0 flex-wrap items-center gap-2">
          <h2 className="min-w-0 font-mono text-sm font-medium break-all text-ink">{event.event}</h2>
          {matched ? <Badge tone="success">matched</Badge> : <Badge>unmatched</Badge>}
        </div>
        <span className="text-[13px] text-ink-muted">
          <TimeText iso={event.receivedAt} withTime />
        </span>
      </div>
      <dl className="mt-1 flex flex-wrap gap-x-2 text-[13px]">
        <dt className="text-ink-muted">Correlation key</dt>
        <dd className="min-w-0 font-mono break-all text-ink">
          {event.correlationKey ?? <span className="font-sans text-ink-faint">none</span>}
        </dd>
      </dl>
      {matched ? (
        <div className="mt-2 space-y-1">
          <RunLinks label={`Resumed ${event.resumed.length}:`} runIds={event.resumed} />
          <RunLinks label={`Started ${event.started.length}:`} runIds={event.started} />
        </div>
      ) : (
        <p className="mt-2 text-[13px] text-ink-muted">No run was waiting for it and no trigger started one.</p>
      )}
      <div className="mt-3">
        <JsonBlock value={event.payload} label={`Payload of ${event.event}`} />
      </div>
    </Card>
  );
}
