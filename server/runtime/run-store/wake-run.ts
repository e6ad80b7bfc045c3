import 'server-only';
import { sql } from 'kysely';
import type { DbOrTx } from '@/server/db/database';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';

/**
 * Tells a run that one of its waits was resolved. A WAITING run becomes RUNNING with a job
 * to advance it (and a `run.resumed` event); a run still held by a worker gets
 * `wake_requested`, which that worker's release sees in the same statement (RunWriter).
 * Call it inside the transaction that resolved the wait.
 */
export async function wakeRun({ db, runId, reason }: { db: DbOrTx; runId: string; reason: string }): Promise<void> {
  const row = await sql<{ was: string; seq: number; tenant_id: string }>`
    UPDATE runs r SET
      wake_requested = true,
      status = CASE WHEN r.status = 'WAITING' THEN 'RUNNING' ELSE r.status END,
      event_seq = r.event_seq + (CASE WHEN r.status = 'WAITING' THEN 1 ELSE 0 END),
      updated_at = now()
    FROM (SELECT id, status FROM runs WHERE id = ${runId} FOR UPDATE) prev
    WHERE r.id = prev.id
    RETURNING prev.status AS was, r.event_seq AS seq, r.tenant_id`.execute(db);
  const woke = row.rows[0];
  if (!woke || woke.was !== 'WAITING') return;
  await db
    .insertInto('run_event_rows')
    .values({
      run_id: runId,
      seq: woke.seq,
      tenant_id: woke.tenant_id,
      type: 'run.resumed',
      step_id: null,
      data: JSON.stringify({ reason }),
    })
    .execute();
  await enqueueAdvance({ db, runId });
}
