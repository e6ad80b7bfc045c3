import 'server-only';
import { z } from 'zod';
import { RUN_EVENT_TYPES, type TRunEventType } from '@/model/run-status';

/*
 * A run's events as run_event_rows stores them (migration 20270105000000): a commit's events in
 * one row, `events` a jsonb array of `{ type, stepId?, at, data }` and `seq` the first one's; any
 * other row one event in its columns (`events` null), as every row stored before was. The
 * `run_events` view expands them in SQL for every reader that selects from it; the events page
 * (readRunEvents) reads the rows and expands them here, which costs PostgreSQL a key range scan
 * of a few rows instead of a view's union, sort and jsonb extraction per event.
 */

/** A run event as SPEC §6.1 numbers and shows it. */
export type TStoredRunEvent = { seq: number; type: TRunEventType; stepId?: string; at: string; data: unknown };
/** A row of run_event_rows as read back. */
export type TRunEventRow = {
  seq: number;
  type: string | null;
  step_id: string | null;
  at: Date | null;
  data: unknown;
  events: unknown;
};

const ZEventType = z.enum(RUN_EVENT_TYPES);
const ZBatch = z.array(
  z.object({ type: ZEventType, stepId: z.string().optional(), at: z.string(), data: z.unknown().default({}) }),
);

/** A commit's events as `run_event_rows.events` holds them, in seq order. */
export function storedEventsJson(
  events: ReadonlyArray<{ type: TRunEventType; stepId: string | null; at: Date; data: unknown }>,
): string {
  return JSON.stringify(
    events.map((e) =>
      e.stepId === null
        ? { type: e.type, at: e.at.toISOString(), data: e.data }
        : { type: e.type, stepId: e.stepId, at: e.at.toISOString(), data: e.data },
    ),
  );
}

/** The events of stored rows (in seq order) with a seq above `after`, at most `limit`. */
export function eventsOfRows(rows: readonly TRunEventRow[], after: number, limit: number): TStoredRunEvent[] {
  const out: TStoredRunEvent[] = [];
  for (const row of rows) {
    if (row.events === null) {
      if (row.seq > after)
        out.push({
          seq: row.seq,
          type: ZEventType.parse(row.type),
          ...(row.step_id ? { stepId: row.step_id } : {}),
          at: row.at!.toISOString(),
          data: row.data,
        });
    } else {
      ZBatch.parse(row.events).forEach((e, i) => {
        const seq = row.seq + i;
        if (seq > after)
          out.push({ seq, type: e.type, ...(e.stepId ? { stepId: e.stepId } : {}), at: e.at, data: e.data });
      });
    }
    if (out.length >= limit) return out.slice(0, limit);
  }
  return out;
}
