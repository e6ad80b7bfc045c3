import 'server-only';
import { sql, type UpdateObject } from 'kysely';
import type { Tx } from '@/server/db/database';
import type { Database } from '@/server/db/schema';

/**
 * Writes an operator's direct transition of a run no worker holds a live lease on (cancel,
 * pause, resume, retry). The fence goes up and the lease is cleared: a worker whose lease merely
 * expired (frozen, SIGSTOPped, cut off) still names the old fence, so its next renewal finds
 * the lease gone and aborts, and its commits are refused. Without this, such a worker's
 * renewal and commits still matched and wrote SUCCEEDED or WAITING over CANCELED or PAUSED.
 * Call it with the run locked (lockRun).
 */
export async function writeOperatorTransition(
  tx: Tx,
  runId: string,
  patch: UpdateObject<Database, 'runs'>,
): Promise<void> {
  await tx
    .updateTable('runs')
    .set({ ...patch, fence: sql`fence + 1`, lease_owner: null, lease_expires_at: null, updated_at: sql`now()` })
    .where('id', '=', runId)
    .execute();
}
