import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { decodeCursor, encodeCursor, ZLimit } from '@/server/api/pagination';
import { AppError } from '@/model/errors';
import {
  actorEmail,
  assignedToSql,
  effectiveRole,
  selectTaskRows,
  toTaskRecord,
  ZTaskStatus,
  type TTaskRecord,
} from '@/server/tasks/task-record';

export const ZListTasks = z.object({
  status: ZTaskStatus.optional(),
  /** Only tasks assigned to me: by my email, or to my role. */
  mine: z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean()).optional(),
  limit: ZLimit.optional(),
  cursor: z.string().max(500).optional(),
});
export type TListTasks = z.input<typeof ZListTasks>;

export const ZTaskCounts = z.object({ open: z.number().int(), mine: z.number().int() });

/**
 * The inbox: tasks newest first, and the counts the navigation badge shows (open tasks, and
 * open tasks assigned to me).
 */
export async function listTasks({
  db,
  ctx,
  input = {},
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input?: TListTasks;
}): Promise<{ items: TTaskRecord[]; nextCursor: string | null; counts: z.infer<typeof ZTaskCounts> }> {
  assertAllowed(ctx, 'run.read');
  const { status, mine, limit, cursor } = ZListTasks.parse(input);
  const size = ZLimit.parse(limit);
  const email = await actorEmail(db, ctx);
  const role = effectiveRole(ctx);
  const assignedToMe = assignedToSql(role, email);
  let query = selectTaskRows(db, ctx.tenantId).select(
    sql<string>`to_char(tasks.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_key'),
  );
  if (status) query = query.where('tasks.status', '=', status);
  if (mine) query = query.where(assignedToMe);
  const after = decodeCursor(cursor);
  if (after !== null) {
    const [at, id] = after.split('|');
    if (!at || !id || !z.string().uuid().safeParse(id).success || Number.isNaN(Date.parse(at)))
      throw new AppError('VALIDATION', 'cursor: not a cursor this API returned', [
        { path: 'cursor', message: 'invalid cursor' },
      ]);
    query = query.where(sql<boolean>`(tasks.created_at, tasks.id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  const rows = await query
    .orderBy('tasks.created_at', 'desc')
    .orderBy('tasks.id', 'desc')
    .limit(size + 1)
    .execute();
  const counts = await db
    .selectFrom('tasks')
    .select([
      sql<number>`count(*)::int`.as('open'),
      sql<number>`(count(*) FILTER (WHERE ${assignedToMe}))::int`.as('mine'),
    ])
    .where('tenant_id', '=', ctx.tenantId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return {
    items: page.map(toTaskRecord),
    nextCursor: rows.length > size && last ? encodeCursor(`${last.created_key}|${last.id}`) : null,
    counts,
  };
}
