import { apiRoute } from '@/server/api/route';
import { listRunEventsContract } from '@/server/api/contracts/runs';
import { listRunEvents } from '@/server/runs/list-run-events';
import { streamRunEvents } from '@/server/runs/stream-run-events';

export const dynamic = 'force-dynamic';

/** JSON by default; a live SSE stream for `Accept: text/event-stream` (EventSource). */
export const GET = apiRoute(listRunEventsContract, ({ request, db, ctx, params, query }) => {
  if (request.headers.get('accept')?.includes('text/event-stream')) {
    return streamRunEvents({
      db,
      ctx,
      input: { id: params.id, after: query.after, lastEventId: request.headers.get('last-event-id') },
      signal: request.signal,
    });
  }
  return listRunEvents({ db, ctx, input: { id: params.id, ...query } });
});
