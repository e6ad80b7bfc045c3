'use client';

import { Search, X } from 'lucide-react';
import { usePathname, useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { RUN_STATUSES } from '@/model/run-status';
import type { TRunFilters } from '@/server/runs/run-filters';

const ANY = '__any';

/** `2026-11-22T10:00` (a datetime-local value, read as UTC) ↔ ISO. */
function toLocalInput(iso: string | undefined): string {
  return iso ? iso.slice(0, 16) : '';
}
function fromLocalInput(value: string): string | undefined {
  return value ? new Date(`${value}:00Z`).toISOString() : undefined;
}

/** The runs list's filters, kept in the URL so a filtered list can be shared and reloaded. */
export function RunsFilters({ filters, workflows }: { filters: TRunFilters; workflows: string[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const [draft, setDraft] = useState({
    q: filters.q ?? '',
    state: filters.state ?? '',
    from: toLocalInput(filters.from),
    to: toLocalInput(filters.to),
  });
  const navigate = (next: TRunFilters) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(next)) if (value) params.set(key, value);
    router.push(params.size ? `${pathname}?${params}` : pathname);
  };
  const apply = (event?: React.FormEvent) => {
    event?.preventDefault();
    navigate({
      ...filters,
      q: draft.q.trim() || undefined,
      state: draft.state.trim() || undefined,
      from: fromLocalInput(draft.from),
      to: fromLocalInput(draft.to),
    });
  };
  const active = Object.values(filters).some(Boolean);
  return (
    <form
      onSubmit={apply}
      className="mb-4 grid grid-cols-1 gap-3 rounded-lg border border-line bg-surface p-3 sm:grid-cols-2 lg:grid-cols-[minmax(0,1.4fr)_repeat(3,minmax(0,1fr))_auto]"
      role="search"
      aria-label="Filter runs"
    >
      <div className="flex flex-col gap-1 sm:col-span-2 lg:col-span-1">
        <Label htmlFor="runs-q">Search</Label>
        <Input
          id="runs-q"
          placeholder="Run id or text in the input"
          value={draft.q}
          onChange={(e) => setDraft({ ...draft, q: e.target.value })}
        />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="runs-status">Status</Label>
        <Select
          id="runs-status"
          aria-label="Status"
          value={filters.status ?? ANY}
          onValueChange={(value) =>
            navigate({ ...filters, status: value === ANY ? undefined : (value as TRunFilters['status']) })
          }
          options={[
            { value: ANY, label: 'Any status' },
            ...RUN_STATUSES.map((s) => ({ value: s, label: s.toLowerCase() })),
          ]}
        />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="runs-workflow">Workflow</Label>
        <Select
          id="runs-workflow"
          aria-label="Workflow"
          value={filters.workflow ?? ANY}
          onValueChange={(value) => navigate({ ...filters, workflow: value === ANY ? undefined : value })}
          options={[{ value: ANY, label: 'Any workflow' }, ...workflows.map((key) => ({ value: key, label: key }))]}
        />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="runs-test">Test runs</Label>
        <Select
          id="runs-test"
          aria-label="Test runs"
          value={filters.test ?? ANY}
          onValueChange={(value) =>
            navigate({ ...filters, test: value === 'true' || value === 'false' ? value : undefined })
          }
          options={[
            { value: ANY, label: 'With test runs' },
            { value: 'true', label: 'Test runs only' },
            { value: 'false', label: 'Without test runs' },
          ]}
        />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="runs-state">State</Label>
        <Input
          id="runs-state"
          placeholder="e.g. approved"
          value={draft.state}
          onChange={(e) => setDraft({ ...draft, state: e.target.value })}
        />
      </div>
      <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-1">
        <Button type="submit" variant="primary">
          <Search className="size-4" aria-hidden />
          Apply
        </Button>
        {active && (
          <Button variant="ghost" onClick={() => router.push(pathname)} aria-label="Clear filters">
            <X className="size-4" aria-hidden />
            Clear
          </Button>
        )}
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="runs-from">Created from (UTC)</Label>
        <Input
          id="runs-from"
          type="datetime-local"
          value={draft.from}
          onChange={(e) => setDraft({ ...draft, from: e.target.value })}
        />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="runs-to">Created before (UTC)</Label>
        <Input
          id="runs-to"
          type="datetime-local"
          value={draft.to}
          onChange={(e) => setDraft({ ...draft, to: e.target.value })}
        />
      </div>
    </form>
  );
}
