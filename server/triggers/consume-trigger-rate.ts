import 'server-only';
import { sql } from 'kysely';
import type { DbOrTx } from '@/server/db/database';
import { AppError } from '@/model/errors';

/**
 * Counts one request against a trigger's per-minute limit, in Postgres (one upserted row per
 * trigger and calendar minute), so the limit holds across every web process. Throws
 * RATE_LIMITED with the seconds until the minute ends once the count passes the limit.
 */
export async function consumeTriggerRate({
  db,
  triggerId,
  limitPerMinute,
}: {
  db: DbOrTx;
  triggerId: string;
  limitPerMinute: number;
}): Promise<{ retryAfterSeconds: number } | null> {
  const { rows } = await sql<{ hits: number; retry_after: number }>`
    INSERT INTO trigger_rate_windows (trigger_id, window_start, hits)
    VALUES (${triggerId}, date_trunc('minute', now()), 1)
    ON CONFLICT (trigger_id, window_start) DO UPDATE SET hits = trigger_rate_windows.hits + 1
    RETURNING hits, ceil(extract(epoch FROM (window_start + interval '1 minute' - now())))::int AS retry_after`.execute(
    db,
  );
  const row = rows[0]!;
  // The first hit of a minute clears the trigger's older windows, so the table stays small.
  if (row.hits === 1)
    await sql`DELETE FROM trigger_rate_windows WHERE trigger_id = ${triggerId} AND window_start < date_trunc('minute', now())`.execute(
      db,
    );
  if (row.hits <= limitPerMinute) return null;
  return { retryAfterSeconds: Math.max(1, row.retry_after) };
}

export function rateLimitedError(limitPerMinute: number, retryAfterSeconds: number): AppError {
  return new AppError(
    'RATE_LIMITED',
    `This webhook accepts ${limitPerMinute} requests a minute; try again in ${retryAfterSeconds} s.`,
  );
}
