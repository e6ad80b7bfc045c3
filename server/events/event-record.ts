import 'server-only';
import { z } from 'zod';

/** An event as the API returns it (SPEC §6.1). */
export const ZEventRecord = z.object({
  id: z.string(),
  event: z.string(),
  correlationKey: z.string().nullable(),
  payload: z.unknown(),
  receivedAt: z.string(),
  resumed: z.array(z.string()),
  started: z.array(z.string()),
});
export type TEventRecord = z.infer<typeof ZEventRecord>;

export function toEventRecord(row: {
  id: string;
  event: string;
  correlation_key: string | null;
  payload: unknown;
  received_at: Date;
  resumed: string[];
  started: string[];
}): TEventRecord {
  return {
    id: row.id,
    event: row.event,
    correlationKey: row.correlation_key,
    payload: row.payload ?? null,
    receivedAt: row.received_at.toISOString(),
    resumed: row.resumed,
    started: row.started,
  };
}
