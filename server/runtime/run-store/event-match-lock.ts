import 'server-only';
import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';

/**
 * The key that serializes matching for one (tenant, event, correlation key). A delivery and
 * the commit of a wait for the same event each hold it until they commit, so whichever comes
 * second sees the other: under READ COMMITTED, without it, a wait being committed and an event
 * being delivered at the same moment each missed the other's uncommitted row, and the event
 * was lost.
 */
export function eventMatchKey({
  tenantId,
  event,
  correlationKey,
}: {
  tenantId: string;
  event: string;
  correlationKey: string | null;
}): string {
  return JSON.stringify(['pipewright.event-match', tenantId, event, correlationKey]);
}

/** Takes the transaction-scoped advisory lock for `key` (eventMatchKey); held until commit. */
export async function takeEventMatchLock(tx: Tx, key: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(tx);
}
