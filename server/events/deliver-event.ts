import 'server-only';
import { z } from 'zod';
import type { Db, Tx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { ZEventName } from '@/server/runtime/actions/events-emit';
import { matchEventWaits } from '@/server/events/match-event-waits';
import type { TEventRecord } from '@/server/events/event-record';

export const ZDeliverEvent = z.object({
  event: ZEventName,
  correlationKey: z.string().min(1).max(500).optional(),
  payload: z.unknown().optional(),
});
export type TDeliverEvent = z.input<typeof ZDeliverEvent>;

/** Postgres error codes worth one more try: a deadlock with a worker's commit on the same run, a serialization failure. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;

function isRetryable(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    RETRYABLE_SQLSTATES.has(String((error as { code: unknown }).code))
  );
}

/**
 * POST /events: stores the event, resumes the runs waiting on it and starts the runs of
 * matching event triggers → `{resumed, started}`.
 * Every writer locks a run's row before its waits (lockRunRow) and deliveries of one event
 * take turns (the event-match lock), so a deadlock should not happen; should PostgreSQL still
 * abort the transaction for one (or for a serialization failure), the delivery is tried again.
 */
export async function deliverEvent({
  db,
  ctx,
  input,
  alsoInTransaction,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TDeliverEvent;
  /** Runs inside the delivery's transaction (the events.emit action records its ledger row there). */
  alsoInTransaction?: (tx: Tx, record: TEventRecord) => Promise<void>;
}): Promise<TEventRecord> {
  assertAllowed(ctx, 'run.start');
  const args = ZDeliverEvent.parse(input);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (tx) => {
        const record = await matchEventWaits(
          tx,
          ctx.tenantId,
          { event: args.event, correlationKey: args.correlationKey ?? null, payload: args.payload ?? null },
          ctx.actor,
        );
        await alsoInTransaction?.(tx, record);
        await recordAudit({
          db: tx,
          ctx,
          entry: {
            action: 'event.delivered',
            targetType: 'event',
            targetId: record.id,
            data: {
              event: record.event,
              correlationKey: record.correlationKey,
              resumed: record.resumed,
              started: record.started,
            },
          },
        });
        return record;
      });
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
    }
  }
}
