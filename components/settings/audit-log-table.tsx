'use client';

import Link from 'next/link';
import { useState } from 'react';
import { loadAuditPageAction } from '@/app/(app)/settings/audit/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import { formatSpan } from '@/components/ui/format-span';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import { auditTargetHref } from '@/model/audit-filters';
import type { TAuditEntry, TAuditFilters } from '@/server/audit/list-audit-entries';

type TPage = { items: TAuditEntry[]; nextCursor: string | null };

/** The most telling detail of an entry, e.g. the email of an added member or a role change. */
function summary(entry: TAuditEntry): string {
  const { data } = entry;
  if (typeof data.from === 'string' && typeof data.to === 'string') return `${data.from} → ${data.to}`;
  const parts = ['email', 'name', 'slug', 'role', 'workflowKey'].flatMap((key) =>
    typeof data[key] === 'string' ? [String(data[key])] : [],
  );
  if (typeof data.version === 'number') parts.push(`v${data.version}`);
  return parts.join(' · ');
}

function targetLabel(entry: TAuditEntry): string {
  const type = entry.targetType.replace('_', ' ');
  if (!entry.targetId) return type;
  // Run and task ids are UUIDs: the first block is enough to tell them apart on a page.
  const id = /^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(entry.targetId) ? entry.targetId.slice(0, 8) : entry.targetId;
  return `${type} ${id}`;
}

function Target({ entry }: { entry: TAuditEntry }) {
  const href = auditTargetHref(entry);
  const label = targetLabel(entry);
  if (!href) return <span className="truncate">{label}</span>;
  return (
    <Link href={href} className="truncate text-accent underline-offset-2 hover:underline" title={entry.targetId ?? ''}>
      {label}
    </Link>
  );
}

/** The audit log: the server renders the first page with the URL's filters, "Load more" follows the cursor. */
export function AuditLogTable({ first, filters }: { first: TPage; filters: TAuditFilters }) {
  const [items, setItems] = useState(first.items);
  const [cursor, setCursor] = useState(first.nextCursor);
  const { pending, error, run } = useServerAction(loadAuditPageAction);
  const loadMore = () => {
    if (!cursor) return;
    run({ cursor, filters }, (page) => {
      setItems((current) => [...current, ...page.items]);
      setCursor(page.nextCursor);
    });
  };
  return (
    <div className="flex flex-col gap-4">
      <Table aria-label="Audit log">
        <THead>
          <TR>
            <TH>When</TH>
            <TH>Who</TH>
            <TH>What</TH>
            <TH>Target</TH>
            <TH>Details</TH>
          </TR>
        </THead>
        <TBody>
          {items.map((entry) => {
            const reason = typeof entry.data.reason === 'string' ? entry.data.reason : null;
            const detail = summary(entry);
            return (
              <TR key={entry.id}>
                <TD className="text-ink-muted">
                  <TimeText iso={entry.createdAt} withTime />
                </TD>
                <TD className="max-w-60">
                  <span className="flex min-w-0 items-center gap-1.5">
                    {entry.actorType !== 'user' && <Badge>{entry.actorType}</Badge>}
                    <span className="truncate" title={entry.actorLabel}>
                      {entry.actorLabel}
                    </span>
                  </span>
                </TD>
                <TD>
                  <code className="font-mono text-[13px] whitespace-nowrap">{entry.action}</code>
                  {entry.session && (
                    <span className="ml-2 text-xs whitespace-nowrap text-ink-muted">
                      {entry.session.count} saves over{' '}
                      {formatSpan(Date.parse(entry.createdAt) - Date.parse(entry.session.firstAt))}
                    </span>
                  )}
                </TD>
                <TD className="max-w-56">
                  <span className="flex min-w-0">
                    <Target entry={entry} />
                  </span>
                </TD>
                <TD className="max-w-80 text-ink-muted">
                  {reason && (
                    <span className="block truncate text-ink" title={reason}>
                      Reason: {reason}
                    </span>
                  )}
                  {detail && (
                    <span className="block truncate" title={detail}>
                      {detail}
                    </span>
                  )}
                </TD>
              </TR>
            );
          })}
        </TBody>
      </Table>
      <FormError message={error?.message} />
      {cursor ? (
        <div className="flex justify-center">
          <Button onClick={loadMore} loading={pending}>
            Load more
          </Button>
        </div>
      ) : (
        <p className="text-center text-[13px] text-ink-faint">That is everything.</p>
      )}
    </div>
  );
}
