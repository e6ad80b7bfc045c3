import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { isTerminal } from '@/model/run-status';
import { readRunEvents } from '@/server/runs/list-run-events';
import { getRunEventListener } from '@/server/runs/run-event-listener';
import { findRunRow } from '@/server/runs/run-record';

export const SSE_HEARTBEAT_MS = 15_000;
const BATCH = 500;

/**
 * A run's event log as a live Server-Sent Events stream: the events after `after` (or the
 * client's Last-Event-ID), then each new one as the run's NOTIFY arrives. `id:` is the seq,
 * so a reconnecting EventSource resumes where it stopped. The stream ends once the run is
 * finished and everything is sent; a comment every 15 s keeps proxies from closing it; a
 * disconnect (the request's signal, or the reader cancelling) drops the subscription.
 */
export async function streamRunEvents({
  db,
  ctx,
  input,
  signal,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: { id: string; after: number; lastEventId?: string | null };
  signal?: AbortSignal;
}): Promise<Response> {
  assertAllowed(ctx, 'run.read');
  const run = await findRunRow(db, ctx.tenantId, input.id);
  const resumeFrom = Number(input.lastEventId);
  let cursor = Number.isInteger(resumeFrom) && resumeFrom > input.after ? resumeFrom : input.after;
  const encoder = new TextEncoder();
  let cleanup: () => void = () => undefined;

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      let pumping: Promise<void> = Promise.resolve();
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const heartbeat = setInterval(() => send(': heartbeat\n\n'), SSE_HEARTBEAT_MS);
      let unsubscribe: () => void = () => undefined;
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        signal?.removeEventListener('abort', close);
        controller.close();
      };
      cleanup = () => {
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
      };
      // Reads the status before the events: the terminal event commits with the status, so
      // when the status is terminal the read that follows holds the last event.
      const pump = async () => {
        for (;;) {
          if (closed) return;
          const status = (
            await db.selectFrom('runs').select('status').where('id', '=', run.id).executeTakeFirstOrThrow()
          ).status;
          const events = await readRunEvents(db, run.id, cursor, BATCH);
          for (const event of events) {
            send(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
            cursor = event.seq;
          }
          if (events.length === BATCH) continue;
          if (isTerminal(status)) close();
          return;
        }
      };
      const schedule = () => {
        pumping = pumping.then(pump).catch((error: unknown) => {
          console.error(`[sse] run ${run.id}: ${(error as Error).message}`);
          close();
        });
      };
      signal?.addEventListener('abort', close);
      send('retry: 3000\n\n');
      unsubscribe = await getRunEventListener().subscribe(run.id, () => schedule());
      schedule();
      await pumping;
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
