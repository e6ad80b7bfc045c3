'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { TRunDetail } from '@/server/runs/get-run';
import type { TRunEventRecord } from '@/server/runs/list-run-events';
import type { TStepRecord } from '@/server/runs/list-run-steps';
import { isTerminal, RUN_EVENT_TYPES } from '@/model/run-status';

export type TLiveRun = { run: TRunDetail; steps: TStepRecord[]; events: TRunEventRecord[] };
export type TConnection = 'live' | 'connecting' | 'ended' | 'offline';

const REFRESH_DEBOUNCE_MS = 250;

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

/** Every step record of the run, page after page (GET /runs/{id}/steps gives 500 at most at a time). */
async function getAllSteps(runId: string): Promise<TStepRecord[]> {
  const steps: TStepRecord[] = [];
  for (let cursor: string | null = null; ;) {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: { items: TStepRecord[]; nextCursor: string | null } = await getJson(
      `/api/v1/runs/${runId}/steps?limit=500${query}`,
    );
    steps.push(...page.items);
    if (!page.nextCursor) return steps;
    cursor = page.nextCursor;
  }
}

/**
 * A run kept up to date through its SSE stream (GET /api/v1/runs/{id}/events): each event
 * is appended to the log as it arrives, and the run and its step records are re-read from
 * the same API (debounced, so a burst of events costs one read). The stream is closed once
 * the run is finished, and opened again when an operator action makes it move.
 */
export function useLiveRun(initial: TLiveRun) {
  const [state, setState] = useState<TLiveRun>(initial);
  const [connection, setConnection] = useState<TConnection>(isTerminal(initial.run.status) ? 'ended' : 'connecting');
  const lastSeq = useRef(initial.events.at(-1)?.seq ?? 0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const runId = initial.run.id;

  const refresh = useCallback(async () => {
    try {
      const [run, steps, events] = await Promise.all([
        getJson<TRunDetail>(`/api/v1/runs/${runId}`),
        getAllSteps(runId),
        getJson<{ items: TRunEventRecord[] }>(`/api/v1/runs/${runId}/events?after=${lastSeq.current}`),
      ]);
      setState((current) => {
        const known = current.events.at(-1)?.seq ?? 0;
        const fresh = events.items.filter((event) => event.seq > known);
        if (fresh.length) lastSeq.current = Math.max(lastSeq.current, fresh.at(-1)!.seq);
        return { run, steps, events: fresh.length ? [...current.events, ...fresh] : current.events };
      });
    } catch (error) {
      console.error('[run] refresh failed:', error);
      setConnection('offline');
    }
  }, [runId]);

  const scheduleRefresh = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void refresh();
    }, REFRESH_DEBOUNCE_MS);
  }, [refresh]);

  const live = !isTerminal(state.run.status);
  useEffect(() => {
    if (!live) {
      setConnection('ended');
      return;
    }
    setConnection('connecting');
    const source = new EventSource(`/api/v1/runs/${runId}/events?after=${lastSeq.current}`);
    const onEvent = (message: MessageEvent<string>) => {
      const event = JSON.parse(message.data) as TRunEventRecord;
      setConnection('live');
      setState((current) => {
        if (event.seq <= (current.events.at(-1)?.seq ?? 0)) return current;
        lastSeq.current = Math.max(lastSeq.current, event.seq);
        return { ...current, events: [...current.events, event] };
      });
      scheduleRefresh();
      if (event.type === 'run.succeeded' || event.type === 'run.failed' || event.type === 'run.canceled')
        source.close();
    };
    for (const type of RUN_EVENT_TYPES) source.addEventListener(type, onEvent);
    source.onopen = () => setConnection('live');
    // EventSource reconnects by itself (sending Last-Event-ID); say so meanwhile.
    source.onerror = () => setConnection(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    return () => {
      for (const type of RUN_EVENT_TYPES) source.removeEventListener(type, onEvent);
      source.close();
    };
  }, [live, runId, scheduleRefresh]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  return { ...state, connection, refresh };
}
