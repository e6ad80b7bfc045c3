import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { decodeCursor, encodeCursor, ZLimit } from '@/server/api/pagination';
import { AppError } from '@/model/errors';

export const ZAuditEntry = z.object({
  id: z.string(),
  actorType: z.enum(['user', 'token', 'system']),
  actorLabel: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  data: z.record(z.unknown()),
  createdAt: z.string(),
});
export type TAuditEntry = z.infer<typeof ZAuditEntry>;

/** The tenant's audit log, newest first, paged by id. */
export async function listAuditEntries({
  db,
  ctx,
  limit,
  cursor,
  action,
}: {
  db: Db;
  ctx: TAuthContext;
  limit?: number;
  cursor?: string | null;
  action?: string;
}): Promise<{ items: TAuditEntry[]; nextCursor: string | null }> {
  const size = ZLimit.parse(limit);
  const after = decodeCursor(cursor);
  // The cursor is an audit_log id; anything else would reach Postgres as a bad bigint (a 500).
  if (after !== null && !(/^\d{1,19}$/.test(after) && BigInt(after) <= 9223372036854775807n)) {
    throw new AppError('VALIDATION', 'cursor: not a cursor this API returned', [
      { path: 'cursor', message: 'invalid cursor' },
    ]);
  }
  let query = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', ctx.tenantId);
  if (after) query = query.where('id', '<', after);
  if (action) query = query.where('action', 'like', `${action.replace(/[%_\\]/g, '\\$&')}%`);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(size + 1)
    .execute();
  const page = rows.slice(0, size);
  return {
    items: page.map((row) => ({
      id: String(row.id),
      actorType: row.actor_type,
      actorLabel: row.actor_label,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      data: row.data,
      createdAt: row.created_at.toISOString(),
    })),
    nextCursor: rows.length > size ? encodeCursor(String(page[page.length - 1]!.id)) : null,
  };
}
