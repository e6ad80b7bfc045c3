import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import { resolveOpenWait } from '@/server/runs/resolve-open-wait';
import { toEventRecord, type TEventRecord } from '@/server/events/event-record';
import type { TActor } from '@/server/auth/context';
import { startEventTriggers } from '@/server/triggers/start-event-triggers';
import { faultPoint } from '@/server/runtime/fault-points';

export type TIncomingEvent = { event: string; correlationKey: string | null; payload: unknown };

/**
 * Stores an event, resumes the runs waiting on it and starts the runs of matching event
 * triggers, inside the caller's transaction (the API's deliverEvent, or the events.emit
 * action); the stored event lists both (`resumed`, `started`). A wait matches the same tenant, event name
 * and correlation key; a wait without a key matches only events without one.
 *
 * Two identical events racing must resume each waiting run once: the waits are locked with
 * SKIP LOCKED (the other delivery passes over them instead of queueing behind us), and each
 * is resolved only if still open, so a wait the other delivery already took is not resumed again.
 */
export async function matchEventWaits(tx: Tx, tenantId: string, incoming: TIncomingEvent, actor: TActor = { type: 'system', name: 'event trigger' }): Promise<TEventRecord> {
  const stored = await tx
    .insertInto('events')
    .values({ tenant_id: tenantId, event: incoming.event, correlation_key: incoming.correlationKey, payload: JSON.stringify(incoming.payload ?? null) })
    .returning(['id', 'received_at'])
    .executeTakeFirstOrThrow();
  const waits = await tx
    .selectFrom('run_waits')
    .select(['id', 'run_id'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'event')
    .where('status', '=', 'open')
    .where('event', '=', incoming.event)
    .where((eb) => (incoming.correlationKey === null ? eb('correlation_key', 'is', null) : eb('correlation_key', '=', incoming.correlationKey)))
    // Oldest first, and in one order for every delivery, so concurrent ones lock alike.
    .orderBy('created_at')
    .orderBy('id')
    .forUpdate()
    .skipLocked()
    .execute();
  const resumed: string[] = [];
  for (const wait of waits) {
    const woke = await resolveOpenWait(tx, { waitId: wait.id, payload: incoming.payload ?? null, reason: `event "${incoming.event}"` });
    // A run waiting twice on the same event (parallel branches) is listed once.
    if (woke && !resumed.includes(woke.runId)) resumed.push(woke.runId);
  }
  await faultPoint('event.beforeCommit');
  const started = await startEventTriggers({ tx, tenantId, actor, event: { id: stored.id, event: incoming.event, correlationKey: incoming.correlationKey, payload: incoming.payload ?? null, receivedAt: stored.received_at } });
  const row = await tx
    .updateTable('events')
    .set({ resumed: sql<string[]>`${resumed}::uuid[]`, started: sql<string[]>`${started}::uuid[]` })
    .where('id', '=', stored.id)
    .returning(['id', 'event', 'correlation_key', 'payload', 'received_at', 'resumed', 'started'])
    .executeTakeFirstOrThrow();
  return toEventRecord(row);
}
