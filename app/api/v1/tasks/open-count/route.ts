import { apiRoute } from '@/server/api/route';
import { openTaskCountContract } from '@/server/api/contracts/tasks';
import { countMyOpenTasks } from '@/server/tasks/count-my-open-tasks';
import { streamOpenTaskCount } from '@/server/tasks/stream-open-task-count';

export const dynamic = 'force-dynamic';

/** JSON `{count}` by default; a live SSE stream for `Accept: text/event-stream` (the badge's EventSource). */
export const GET = apiRoute(openTaskCountContract, async ({ request, db, ctx }) => {
  if (request.headers.get('accept')?.includes('text/event-stream'))
    return streamOpenTaskCount({ db, ctx, signal: request.signal });
  return { count: await countMyOpenTasks({ db, ctx }) };
});
