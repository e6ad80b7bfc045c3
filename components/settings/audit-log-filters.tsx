'use client';

import { X } from 'lucide-react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { AUDIT_ACTION_FAMILIES, AUDIT_TARGET_TYPES } from '@/model/audit-filters';

const ANY = 'any';
const FILTER_NAMES = ['actor', 'action', 'target', 'from', 'to'] as const;

/** The audit log's filters (actor, action, target type, days), kept in the URL so a filtered view can be shared. */
export function AuditLogFilters() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();
  const [actor, setActor] = useState(params.get('actor') ?? '');

  const apply = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params.toString());
    for (const [name, value] of Object.entries(changes)) {
      if (value === null || value === '' || value === ANY) next.delete(name);
      else next.set(name, value);
    }
    const query = next.toString();
    startTransition(() => router.replace(query ? `${pathname}?${query}` : pathname));
  };

  // Typing filters after a short pause instead of on every keystroke.
  useEffect(() => {
    if (actor.trim() === (params.get('actor') ?? '')) return;
    const timer = setTimeout(() => apply({ actor: actor.trim() || null }), 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only the typed text filters
  }, [actor]);

  const filtered = FILTER_NAMES.some((name) => params.has(name));
  return (
    <div className="mb-4 flex flex-wrap items-end gap-2" role="search" aria-busy={pending || undefined}>
      <Input
        type="search"
        aria-label="Actor"
        placeholder="Who (email or token name)"
        value={actor}
        onChange={(event) => setActor(event.target.value)}
        className="w-full sm:w-60"
      />
      <Select
        aria-label="Action"
        value={params.get('action') ?? ANY}
        onValueChange={(value) => apply({ action: value })}
        options={[
          { value: ANY, label: 'Any action' },
          ...AUDIT_ACTION_FAMILIES.map((family) => ({ value: family, label: `${family}*` })),
        ]}
        className="w-40"
      />
      <Select
        aria-label="Target type"
        value={params.get('target') ?? ANY}
        onValueChange={(value) => apply({ target: value })}
        options={[
          { value: ANY, label: 'Any target' },
          ...AUDIT_TARGET_TYPES.map((type) => ({ value: type, label: type.replace('_', ' ') })),
        ]}
        className="w-40"
      />
      <label className="flex flex-col gap-1 text-xs text-ink-muted">
        From (UTC)
        <Input
          type="date"
          value={params.get('from') ?? ''}
          onChange={(event) => apply({ from: event.target.value || null })}
          className="w-40"
        />
      </label>
      <label className="flex flex-col gap-1 text-xs text-ink-muted">
        To (UTC, inclusive)
        <Input
          type="date"
          value={params.get('to') ?? ''}
          onChange={(event) => apply({ to: event.target.value || null })}
          className="w-40"
        />
      </label>
      {filtered && (
        <Button
          size="sm"
          variant="secondary"
          onClick={() => {
            setActor('');
            apply(Object.fromEntries(FILTER_NAMES.map((name) => [name, null])));
          }}
        >
          <X className="size-3.5" aria-hidden /> Clear filters
        </Button>
      )}
    </div>
  );
}
