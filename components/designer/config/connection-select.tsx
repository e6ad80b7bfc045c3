'use client';

import { Plug } from 'lucide-react';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { useConfigContext } from '@/components/designer/config/config-context';
import { Select } from '@/components/ui/select';
import { CONNECTION_TYPE_LABELS, type TConnectionType } from '@/model/connections/connection-config';
import type { TConnectionRecord } from '@/server/connections/connection-record';

type TState = { items: TConnectionRecord[] } | { error: string } | null;

// Connections change rarely while a designer is open: one fetch per type per page load.
/** Radix Select refuses an empty value for an item: "no connection" is this. */
const NONE = '__none__';
const pending = new Map<TConnectionType, Promise<TConnectionRecord[]>>();

function loadConnections(type: TConnectionType): Promise<TConnectionRecord[]> {
  let promise = pending.get(type);
  if (!promise) {
    promise = fetch(`/api/v1/connections?type=${type}`, { headers: { accept: 'application/json' } }).then(
      async (response) => {
        if (!response.ok) throw new Error(`GET /api/v1/connections answered ${response.status}`);
        return ((await response.json()) as { items: TConnectionRecord[] }).items;
      },
    );
    promise.catch(() => pending.delete(type));
    pending.set(type, promise);
  }
  return promise;
}

/** Picks one of the tenant's connections of `type` by name (SPEC §11); its secrets stay on the server. */
export function ConnectionSelect({
  id,
  type,
  value,
  onChange,
}: {
  id: string;
  type: TConnectionType;
  value: string;
  onChange: (name: string | undefined) => void;
}) {
  const { readOnly } = useConfigContext();
  const [state, setState] = useState<TState>(null);
  useEffect(() => {
    let live = true;
    loadConnections(type).then(
      (items) => live && setState({ items }),
      (error: unknown) => live && setState({ error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
  }, [type]);
  if (state === null) return <p className="text-[13px] text-ink-faint">Loading connections…</p>;
  if ('error' in state) return <p className="text-[13px] text-danger">Could not load connections ({state.error}).</p>;
  const options = [
    { value: NONE, label: 'None', description: 'no connection: the URL and auth are given here' },
    ...state.items.map((item) => ({
      value: item.name,
      label: item.name,
      description: item.description || CONNECTION_TYPE_LABELS[item.type],
    })),
  ];
  if (value && !state.items.some((item) => item.name === value))
    options.splice(1, 0, { value, label: value, description: `no ${type} connection of this name` });
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-center gap-2">
        <Plug className="size-4 shrink-0 text-ink-faint" aria-hidden />
        <Select
          id={id}
          value={value || NONE}
          onValueChange={(name) => onChange(name === NONE ? undefined : name)}
          options={options}
          disabled={readOnly}
          className="w-full font-mono"
          aria-label="Connection"
        />
      </div>
      {state.items.length === 0 ? (
        <p className="text-[12px] text-ink-faint">
          No {CONNECTION_TYPE_LABELS[type]} connections yet.{' '}
          <Link href="/settings/connections" className="text-accent underline-offset-2 hover:underline">
            Add one in Settings → Connections
          </Link>
          .
        </p>
      ) : null}
    </div>
  );
}
