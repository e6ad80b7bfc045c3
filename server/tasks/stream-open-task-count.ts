import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { countMyOpenTasks } from '@/server/tasks/count-my-open-tasks';
import { getTasksChangedListener } from '@/server/tasks/tasks-changed-listener';

export const TASK_COUNT_HEARTBEAT_MS = 15_000;
export const ZOpenTaskCount = z.object({ count: z.number().int().min(0) });

/**
 * The inbox badge as a live Server-Sent Events stream: `event: count` with `{count}` at once,
 * then again whenever the tenant's tasks change (the process's one LISTEN, fanned out by
 * tenant; the count itself is one short pooled query, so no connection is held per client).
 * Changes arriving while a count runs are folded into one more count. A comment every 15 s
 * keeps proxies from closing the stream; a disconnect drops the subscription.
 */
export async function streamOpenTaskCount({
  db,
  ctx,
  signal,
}: {
  db: Db;
  ctx: TAuthContext;
  signal?: AbortSignal;
}): Promise<Response> {
  const encoder = new TextEncoder();
  let cleanup: () => void = () => undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      let counting = false;
      let again = false;
      let last: number | null = null;
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const heartbeat = setInterval(() => send(': heartbeat\n\n'), TASK_COUNT_HEARTBEAT_MS);
      let unsubscribe: () => void = () => undefined;
      const close = () => {
        if (closed) return;
        cleanup();
        controller.close();
      };
      cleanup = () => {
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        signal?.removeEventListener('abort', close);
      };
      const recount = async () => {
        if (counting) {
          again = true;
          return;
        }
        counting = true;
        try {
          do {
            again = false;
            const count = await countMyOpenTasks({ db, ctx });
            if (count !== last) send(`event: count\ndata: ${JSON.stringify({ count })}\n\n`);
            last = count;
          } while (again && !closed);
        } catch (error) {
          console.error(`[sse] inbox count of tenant ${ctx.tenantId}: ${(error as Error).message}`);
          close();
        } finally {
          counting = false;
        }
      };
      signal?.addEventListener('abort', close);
      send('retry: 3000\n\n');
      unsubscribe = await getTasksChangedListener().subscribe(ctx.tenantId, () => void recount());
      await recount();
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
