'use client';

import { useEffect, useState } from 'react';
import type { TActionTypeInfo } from '@/server/runtime/registry/list-action-types';
import type { TNodeTypeInfo } from '@/server/runtime/registry/list-node-types';

export type TRegistry = { nodes: TNodeTypeInfo[]; actions: TActionTypeInfo[] };
type TRegistryState = { registry: TRegistry | null; error: string | null };

// The registry is fixed for the life of a deployment: one fetch per page load is enough.
let pending: Promise<TRegistry> | null = null;

async function fetchList<T>(path: string): Promise<T[]> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  const body = (await response.json()) as { items: T[] };
  return body.items;
}

function loadRegistry(): Promise<TRegistry> {
  pending ??= Promise.all([
    fetchList<TNodeTypeInfo>('/api/v1/registry/nodes'),
    fetchList<TActionTypeInfo>('/api/v1/registry/actions'),
  ]).then(
    ([nodes, actions]) => ({ nodes, actions }),
    (error: unknown) => {
      pending = null; // let the next mount try again
      throw error;
    },
  );
  return pending;
}

/** The node and action types with their JSON Schemas (GET /api/v1/registry/…), or the given one. */
export function useRegistry(given?: TRegistry): TRegistryState {
  const [state, setState] = useState<TRegistryState>({ registry: given ?? null, error: null });
  useEffect(() => {
    if (given) return;
    let live = true;
    loadRegistry().then(
      (registry) => live && setState({ registry, error: null }),
      (error: unknown) => {
        console.error('[designer] registry failed to load:', error);
        if (live) setState({ registry: null, error: 'Could not load the step types. Reload the page to try again.' });
      },
    );
    return () => {
      live = false;
    };
  }, [given]);
  return given ? { registry: given, error: null } : state;
}
