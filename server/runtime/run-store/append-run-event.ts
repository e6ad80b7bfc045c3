import 'server-only';
import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import { RUN_EVENTS_CHANNEL } from '@/server/runtime/interpreter/run-writer';
import type { TRunEventType } from '@/model/run-status';

/**
 * Appends one event to a run's log with the next seq. The counter is taken with
 * `UPDATE … RETURNING` on the run row, so concurrent writers serialize on that row and the
 * log stays gap-free (RunWriter and wakeRun count the same way).
 */
export async function appendRunEvent(
  tx: Tx,
  event: {
    runId: string;
    tenantId: string;
    type: TRunEventType;
    stepId?: string | null;
    data?: Record<string, unknown>;
  },
): Promise<number> {
  const row = await tx
    .updateTable('runs')
    .set({ event_seq: sql`event_seq + 1`, updated_at: sql`now()` })
    .where('id', '=', event.runId)
    .returning('event_seq')
    .executeTakeFirstOrThrow();
  await tx
    .insertInto('run_event_rows')
    .values({
      run_id: event.runId,
      seq: row.event_seq,
      tenant_id: event.tenantId,
      type: event.type,
      step_id: event.stepId ?? null,
      data: JSON.stringify(event.data ?? {}),
    })
    .execute();
  return row.event_seq;
}

/** Tells live viewers and sync starts (RUN_EVENTS_CHANNEL) where the run stands; delivered at commit. */
export async function notifyRunChanged(tx: Tx, runId: string): Promise<void> {
  await sql`SELECT pg_notify(${RUN_EVENTS_CHANNEL}, id::text || ':' || event_seq || ':' || status) FROM runs WHERE id = ${runId}`.execute(
    tx,
  );
}
