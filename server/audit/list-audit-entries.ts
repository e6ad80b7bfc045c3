import 'server-only';
import { sql, type SqlBool, type Expression } from 'kysely';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { decodeCursor, encodeCursor, ZLimit } from '@/server/api/pagination';
import { AppError } from '@/model/errors';
import { AUDIT_FOLDED_ACTION, AUDIT_SESSION_GAP_MINUTES } from '@/model/audit-filters';

export const ZAuditEntry = z.object({
  id: z.string(),
  actorType: z.enum(['user', 'token', 'system']),
  actorLabel: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  data: z.record(z.unknown()),
  createdAt: z.string(),
  /** An editing session folded into this row: how many saves, and when the first was. */
  session: z.object({ count: z.number().int(), firstAt: z.string() }).nullable(),
});
export type TAuditEntry = z.infer<typeof ZAuditEntry>;

export const ZAuditFilters = z.object({
  /** Part of the actor's label (an email, a token's name, "system"), case-insensitive. */
  actor: z.string().trim().max(200).optional(),
  /** An action or the start of one: `run.` lists every run operation. */
  action: z.string().trim().max(100).optional(),
  targetType: z.string().trim().max(50).optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
});
export type TAuditFilters = z.infer<typeof ZAuditFilters>;

const likeEscaped = (text: string) => text.replace(/[%_\\]/g, '\\$&');

/**
 * The same editing session as `a`: draft saves by the same actor on the same target. Plain
 * equalities over the columns of audit_log_draft_sessions_idx (IS NOT DISTINCT FROM would not
 * use it); a system actor has no id, so its label stands in.
 */
const sameSession = (alias: string) =>
  sql.raw(
    `${alias}.tenant_id = a.tenant_id AND ${alias}.action = '${AUDIT_FOLDED_ACTION}'
     AND ${alias}.target_type = a.target_type AND ${alias}.target_id = a.target_id
     AND coalesce(${alias}.actor_id, ${alias}.actor_label) = coalesce(a.actor_id, a.actor_label)`,
  );

/**
 * The tenant's audit log, newest first, paged by id (keyset), filtered by actor, action,
 * target type and time. Autosaves are folded in the query: draft saves by one actor on one
 * workflow, each within AUDIT_SESSION_GAP_MINUTES of the previous, show as one row (the
 * session's last save) with the session's count and first time. A row is a session's last
 * when no later save of the same session follows within the gap (an index probe), and its
 * count walks back the chain of saves (a recursive probe per shown row), so a page costs its
 * own rows, not the whole log.
 */
export async function listAuditEntries({
  db,
  ctx,
  limit,
  cursor,
  filters = {},
}: {
  db: Db;
  ctx: TAuthContext;
  limit?: number;
  cursor?: string | null;
  filters?: TAuditFilters;
}): Promise<{ items: TAuditEntry[]; nextCursor: string | null }> {
  const size = ZLimit.parse(limit);
  const { actor, action, targetType, from, to } = ZAuditFilters.parse(filters);
  const after = decodeCursor(cursor);
  // The cursor is an audit_log id; anything else would reach Postgres as a bad bigint (a 500).
  if (after !== null && !(/^\d{1,19}$/.test(after) && BigInt(after) <= 9223372036854775807n)) {
    throw new AppError('VALIDATION', 'cursor: not a cursor this API returned', [
      { path: 'cursor', message: 'invalid cursor' },
    ]);
  }
  const gap = sql.raw(`interval '${AUDIT_SESSION_GAP_MINUTES} minutes'`);
  const conditions: Expression<SqlBool>[] = [sql<SqlBool>`a.tenant_id = ${ctx.tenantId}`];
  if (after) conditions.push(sql<SqlBool>`a.id < ${after}`);
  if (actor) conditions.push(sql<SqlBool>`a.actor_label ILIKE ${`%${likeEscaped(actor)}%`}`);
  if (action) conditions.push(sql<SqlBool>`a.action LIKE ${`${likeEscaped(action)}%`}`);
  if (targetType) conditions.push(sql<SqlBool>`a.target_type = ${targetType}`);
  if (from) conditions.push(sql<SqlBool>`a.created_at >= ${new Date(from)}`);
  if (to) conditions.push(sql<SqlBool>`a.created_at < ${new Date(to)}`);
  const where = sql.join(conditions, sql` AND `);

  const { rows } = await sql<{
    id: string;
    actor_type: 'user' | 'token' | 'system';
    actor_label: string;
    action: string;
    target_type: string;
    target_id: string | null;
    data: Record<string, unknown>;
    created_at: Date;
    session_count: number | null;
    session_first_at: Date | null;
  }>`
    SELECT a.id, a.actor_type, a.actor_label, a.action, a.target_type, a.target_id, a.data, a.created_at,
           s.n AS session_count, s.first_at AS session_first_at
    FROM audit_log a
    LEFT JOIN LATERAL (
      WITH RECURSIVE chain(id, created_at) AS (
        -- Only a draft save starts a chain: every other row costs nothing here.
        SELECT a.id, a.created_at WHERE a.action = ${AUDIT_FOLDED_ACTION}
        UNION ALL
        SELECT p.id, p.created_at
        FROM chain c
        CROSS JOIN LATERAL (
          SELECT b.id, b.created_at FROM audit_log b
          WHERE ${sameSession('b')} AND b.id < c.id
          ORDER BY b.id DESC LIMIT 1
        ) p
        WHERE p.created_at >= c.created_at - ${gap}
      )
      SELECT count(*)::int AS n, min(created_at) AS first_at FROM chain
    ) s ON a.action = ${AUDIT_FOLDED_ACTION}
    WHERE ${where}
      AND (a.action <> ${AUDIT_FOLDED_ACTION} OR NOT EXISTS (
        SELECT 1 FROM audit_log nx
        WHERE ${sameSession('nx')} AND nx.id > a.id AND nx.created_at <= a.created_at + ${gap}
      ))
    ORDER BY a.id DESC
    LIMIT ${size + 1}
  `.execute(db);
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
      session:
        row.session_count !== null && row.session_first_at !== null && row.session_count > 1
          ? { count: row.session_count, firstAt: row.session_first_at.toISOString() }
          : null,
    })),
    nextCursor: rows.length > size ? encodeCursor(String(page[page.length - 1]!.id)) : null,
  };
}
