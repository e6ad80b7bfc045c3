'use client';

import { useEffect, useState } from 'react';

/**
 * The inbox badge's count, kept right live: the server-rendered count first, then each
 * `count` event of GET /api/v1/tasks/open-count's SSE stream (a task created, answered,
 * claimed or reassigned anywhere in the tenant). EventSource reconnects by itself.
 */
export function useLiveInboxCount(initial: number): number {
  const [count, setCount] = useState(initial);
  useEffect(() => setCount(initial), [initial]);
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/v1/tasks/open-count');
    const onCount = (event: MessageEvent<string>) => {
      const parsed = JSON.parse(event.data) as { count?: unknown };
      if (typeof parsed.count === 'number') setCount(parsed.count);
    };
    source.addEventListener('count', onCount);
    return () => {
      source.removeEventListener('count', onCount);
      source.close();
    };
  }, []);
  return count;
}
