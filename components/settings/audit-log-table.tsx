'use client';

import { useState } from 'react';
import { loadAuditPageAction } from '@/app/(app)/settings/audit/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import type { TAuditEntry } from '@/server/audit/list-audit-entries';

type TPage = { items: TAuditEntry[]; nextCursor: string | null };

/** The most telling detail of an entry, e.g. the email of an added member or a role change. */
function summary(entry: TAuditEntry): string {
  const { data } = entry;
  if (typeof data.from === 'string' && typeof data.to === 'string') return `${data.from} → ${data.to}`;
  const parts = ['email', 'name', 'slug', 'role'].flatMap((key) =>
    typeof data[key] === 'string' ? [String(data[key])] : [],
  );
  return parts.join(' · ');
}

/** The audit log: the server renders the first page, "Load more" follows the cursor. */
export function AuditLogTable({ first }: { first: TPage }) {
  const [items, setItems] = useState(first.items);
  const [cursor, setCursor] = useState(first.nextCursor);
  const { pending, error, run } = useServerAction(loadAuditPageAction);
  const loadMore = () => {
    if (!cursor) return;
    run({ cursor }, (page) => {
      setItems((current) => [...current, ...page.items]);
      setCursor(page.nextCursor);
    });
  };
  return (
    <div className="flex flex-col gap-4">
      <Table>
        <THead>
          <TR>
            <TH>When</TH>
            <TH>Who</TH>
            <TH>What</TH>
            <TH>Target</TH>
          </TR>
        </THead>
        <TBody>
          {items.map((entry) => (
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
              </TD>
              <TD className="max-w-72 text-ink-muted">
                <span className="block truncate" title={entry.targetId ?? undefined}>
                  {summary(entry) || `${entry.targetType}${entry.targetId ? ` ${entry.targetId}` : ''}`}
                </span>
              </TD>
            </TR>
          ))}
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
