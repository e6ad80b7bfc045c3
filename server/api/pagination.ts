import 'server-only';
import { z } from 'zod';
import { AppError } from '@/model/errors';

export const DEFAULT_PAGE_SIZE = 50;
export const ZLimit = z.coerce.number().int().min(1).max(200).default(DEFAULT_PAGE_SIZE);

/** Cursors are opaque to clients: base64url of the last item's sort key. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): string | null {
  if (!cursor) return null;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!key)
    throw new AppError('VALIDATION', 'cursor: not a cursor this API returned', [
      { path: 'cursor', message: 'invalid cursor' },
    ]);
  return key;
}
