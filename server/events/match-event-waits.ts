import 'server-only';
import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import { resolveOpenWait } from '@/server/runtime/run-store/resolve-open-wait';
import { toEventRecord, type TEventRecord } from '@/server/events/event-record';
import type { TActor } from '@/server/auth/context';
import { startEventTriggers } from '@/server/triggers/start-event-triggers';
import { faultPoint } from '@/server/runtime/fault-points';
import { eventMatchKey, takeEventMatchLock } from '@/server/runtime/run-store/event-match-lock';

export type TIncomingEvent = { event: string; correlationKey: string | null; payload: unknown };

/**
 * Stores an event, resumes the runs waiting on it and starts the runs of matching event
 * triggers, inside the caller's transaction (the API's deliverEvent, or the events.emit
 * action); the stored event lists both (`resumed`, `started`). A wait matches the same tenant, event name
 * and correlation key; a wait without a key matches only events without one.
 *
 * Matching is serialized per (tenant, event, key) with the event-match lock, which a worker's
 * commit creating such a wait takes too: whichever commits second sees the other (the wait's
 * commit finds this event, or this finds the committed wait). Two identical events racing
 * therefore take turns, and each wait is resolved only if still open, so it resumes its run once.
 */
export async function matchEventWaits(
  tx: Tx,
  tenantId: string,
  incoming: TIncomingEvent,
  actor: TActor = { type: 'system', name: 'event trigger' },
): Promise<TEventRecord> {
  await takeEventMatchLock(
    tx,
    eventMatchKey({ tenantId, event: incoming.event, correlationKey: incoming.correlationKey }),
  );
  const stored = await tx
    .insertInto('events')
    .values({
      tenant_id: tenantId,
      event: incoming.event,
      correlation_key: incoming.correlationKey,
      payload: JSON.stringify(incoming.payload ?? null),
    })
    .returning(['id', 'received_at'])
    .executeTakeFirstOrThrow();
  // Not locked here: resolveOpenWait locks each run row and then its wait (the runtime's lock
  // order), in run id order so that deliveries of different events lock runs alike.
  const waits = await tx
    .selectFrom('run_waits')
    .select(['id', 'run_id'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'event')
    .where('status', '=', 'open')
    .where('event', '=', incoming.event)
    .where((eb) =>
      incoming.correlationKey === null
        ? eb('correlation_key', 'is', null)
        : eb('correlation_key', '=', incoming.correlationKey),
    )
    .orderBy('run_id')
    .orderBy('created_at')
    .execute();
  const resumed: string[] = [];
  for (const wait of waits) {
    const woke = await resolveOpenWait(tx, {
      waitId: wait.id,
      payload: incoming.payload ?? null,
      reason: `event "${incoming.event}"`,
    });
    // A run waiting twice on the same event (parallel branches) is listed once.
    if (woke && !resumed.includes(woke.runId)) resumed.push(woke.runId);
  }
  await faultPoint('event.beforeCommit');
  const started = await startEventTriggers({
    tx,
    tenantId,
    actor,
    event: {
      id: stored.id,
      event: incoming.event,
      correlationKey: incoming.correlationKey,
      payload: incoming.payload ?? null,
      receivedAt: stored.received_at,
    },
  });
  const row = await tx
    .updateTable('events')
    .set({ resumed: sql<string[]>`${resumed}::uuid[]`, started: sql<string[]>`${started}::uuid[]` })
    .where('id', '=', stored.id)
    .returning(['id', 'event', 'correlation_key', 'payload', 'received_at', 'resumed', 'started'])
    .executeTakeFirstOrThrow();
  return toEventRecord(row);
}
