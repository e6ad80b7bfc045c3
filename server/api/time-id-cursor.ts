import 'server-only';
import { decodeCursor, encodeCursor } from '@/server/api/pagination';
import { AppError } from '@/model/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Cursors of lists ordered by (time desc, id desc): the last item's time, as text with
 * microseconds (a JS Date would drop them and the next page would skip rows), and its id.
 */
export function encodeTimeIdCursor(at: string, id: string): string {
  return encodeCursor(`${at}|${id}`);
}

export function decodeTimeIdCursor(cursor: string | undefined): { at: string; id: string } | null {
  const key = decodeCursor(cursor);
  if (key === null) return null;
  const [at, id] = key.split('|');
  if (!at || !id || !UUID.test(id) || Number.isNaN(Date.parse(at)))
    throw new AppError('VALIDATION', 'cursor: not a cursor this list made', [
      { path: 'cursor', message: 'invalid cursor' },
    ]);
  return { at, id };
}
