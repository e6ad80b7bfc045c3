import 'server-only';
import { sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '@/server/api/pagination';
import { AppError } from '@/model/errors';

/**
 * Step records (and their snapshots) are listed in the order they started: `started_at`,
 * then `path`, then `attempt`, which is unique per run (run_steps_attempt_key). A cursor is
 * the last item's key: the start time as text with microseconds (a JS Date drops them, and
 * the next page would skip or repeat rows that started in the same millisecond), the
 * attempt and the path (last, since it is free text).
 */
export type TStepOrderKey = { startedAt: string; attempt: number; path: string };

/** The query parameters of a step-ordered list; a page of records is `max` at most. */
export function stepPageQuery({ max, fallback }: { max: number; fallback: number }) {
  return z.object({
    limit: z.coerce.number().int().min(1).max(max).default(fallback),
    cursor: z.string().max(4000).optional(),
  });
}

/** `started_at` as the cursor keeps it, for a select list. */
export function startedAtKey(column: 'started_at' | 'r.started_at'): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

export function encodeStepOrderCursor(key: TStepOrderKey): string {
  return encodeCursor(`${key.startedAt}|${key.attempt}|${key.path}`);
}

export function decodeStepOrderCursor(cursor: string | undefined): TStepOrderKey | null {
  const key = decodeCursor(cursor);
  if (key === null) return null;
  const match = /^([^|]+)\|(\d{1,9})\|(.+)$/s.exec(key);
  if (!match || Number.isNaN(Date.parse(match[1]!)))
    throw new AppError('VALIDATION', 'cursor: not a cursor this list made', [
      { path: 'cursor', message: 'invalid cursor' },
    ]);
  return { startedAt: match[1]!, attempt: Number(match[2]), path: match[3]! };
}

/** Rows after `key` in step order, as a where condition over the given table alias. */
export function afterStepOrderKey(alias: '' | 'r.', key: TStepOrderKey): RawBuilder<boolean> {
  const column = (name: string) => sql.ref(`${alias}${name}`);
  return sql<boolean>`(${column('started_at')}, ${column('path')}, ${column('attempt')}) > (${key.startedAt}::timestamptz, ${key.path}, ${key.attempt})`;
}
