import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { RUN_EVENT_TYPES } from '@/model/run-status';
import { findRunRow, ZRunId } from '@/server/runs/run-record';
import { eventsOfRows } from '@/server/runtime/run-store/stored-events';

export const ZListRunEvents = z.object({
  id: ZRunId,
  /** Only events with a larger seq. */
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
});
export type TListRunEvents = z.input<typeof ZListRunEvents>;

/** A run event as the API returns it (SPEC §6.1). */
export const ZRunEventRecord = z.object({
  seq: z.number().int(),
  type: z.enum(RUN_EVENT_TYPES),
  stepId: z.string().optional(),
  at: z.string(),
  data: z.unknown(),
});
export type TRunEventRecord = z.infer<typeof ZRunEventRecord>;

/** Reads events of a run already known to be the caller's (the SSE stream reads on with it). */
export async function readRunEvents(
  db: DbOrTx,
  runId: string,
  after: number,
  limit: number,
): Promise<TRunEventRecord[]> {
  // A stored row holds one event or a commit's batch, keyed by its first seq. The page's rows are
  // the one holding `after + 1` (the last starting at or before it) up to those starting at
  // `after + limit`: seqs have no gaps, so the page's last event is at most that. Both bounds are
  // the key's, so a page reads its own rows and never the run's whole history.
  const firstRow = db
    .selectFrom('run_event_rows')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('run_id', '=', runId)
    .where('seq', '<=', after);
  const rows = await db
    .selectFrom('run_event_rows')
    .select(['seq', 'type', 'step_id', 'at', 'data', 'events'])
    .where('run_id', '=', runId)
    .where('seq', '>=', sql<number>`coalesce((${firstRow}), 1)`)
    .where('seq', '<=', after + limit)
    .orderBy('seq')
    .execute();
  return eventsOfRows(rows, after, limit);
}

/** A run's event log after `after`, in seq order; `nextAfter` is the seq to ask from next. */
export async function listRunEvents({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: TListRunEvents;
}): Promise<{ items: TRunEventRecord[]; nextAfter: number; runStatus: string }> {
  assertAllowed(ctx, 'run.read');
  const { id, after, limit } = ZListRunEvents.parse(input);
  const run = await findRunRow(db, ctx.tenantId, id);
  const items = await readRunEvents(db, run.id, after, limit);
  return { items, nextAfter: items.length ? items[items.length - 1]!.seq : after, runStatus: run.status };
}
