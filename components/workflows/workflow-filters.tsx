'use client';

import { Search, X } from 'lucide-react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Select, type TSelectOption } from '@/components/ui/select';

const ALL = 'all';

/** Search (name, key, tag) and filters (status, node type or action used), kept in the URL so a filtered list can be shared. */
export function WorkflowFilters({ usesOptions }: { usesOptions: TSelectOption[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();
  const [q, setQ] = useState(params.get('q') ?? '');
  // Set by "Clear filters": emptying the box must not start a search of its own, which would
  // put back the other filters of the URL it was typed against once the clear has gone.
  const clearing = useRef(false);

  const apply = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params.toString());
    // Other filters list other workflows: start again from their first page.
    next.delete('cursor');
    for (const [name, value] of Object.entries(changes)) {
      if (value === null || value === '' || value === ALL) next.delete(name);
      else next.set(name, value);
    }
    const query = next.toString();
    startTransition(() => router.replace(query ? `${pathname}?${query}` : pathname));
  };

  // Typing searches after a short pause instead of on every keystroke.
  useEffect(() => {
    if (clearing.current) {
      clearing.current = false;
      return;
    }
    if (q === (params.get('q') ?? '')) return;
    const timer = setTimeout(() => apply({ q: q.trim() || null }), 250);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only the typed text starts a search
  }, [q]);

  const filtered = ['q', 'status', 'uses', 'tag'].some((name) => params.has(name));
  return (
    <div className="mb-4 flex flex-wrap items-center gap-2" role="search" aria-busy={pending || undefined}>
      <div className="relative min-w-48 flex-1">
        <Search className="pointer-events-none absolute top-2.5 left-3 size-4 text-ink-faint" aria-hidden />
        <Input
          type="search"
          aria-label="Search workflows"
          placeholder="Search by name, key or tag"
          value={q}
          onChange={(event) => setQ(event.target.value)}
          className="pl-9"
        />
      </div>
      <Select
        aria-label="Status"
        value={params.get('status') ?? ALL}
        onValueChange={(value) => apply({ status: value })}
        options={[
          { value: ALL, label: 'Any status' },
          { value: 'active', label: 'Active' },
          { value: 'archived', label: 'Archived' },
        ]}
        className="w-36"
      />
      <Select
        aria-label="Uses"
        value={params.get('uses') ?? ALL}
        onValueChange={(value) => apply({ uses: value })}
        options={[{ value: ALL, label: 'Any step or action' }, ...usesOptions]}
        className="w-52"
      />
      {params.get('tag') && (
        <Button
          size="sm"
          variant="secondary"
          onClick={() => apply({ tag: null })}
          aria-label={`Remove tag filter ${params.get('tag')}`}
        >
          tag: {params.get('tag')}
          <X className="size-3.5" aria-hidden />
        </Button>
      )}
      {filtered && (
        <Button
          size="sm"
          variant="ghost"
          onClick={() => {
            clearing.current = q !== '';
            setQ('');
            startTransition(() => router.replace(pathname));
          }}
        >
          Clear filters
        </Button>
      )}
    </div>
  );
}
