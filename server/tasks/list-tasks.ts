import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { decodeCursor, encodeCursor, ZLimit } from '@/server/api/pagination';
import { AppError } from '@/model/errors';
import { delegatorsOf } from '@/server/tasks/task-delegation';
import {
  actorEmail,
  assignedToPersonSql,
  assignedToSql,
  effectiveRole,
  selectTaskRows,
  toTaskRecord,
  ZTaskStatus,
  type TTaskRecord,
} from '@/server/tasks/task-record';

const ZBool = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());

export const ZListTasks = z.object({
  status: ZTaskStatus.optional(),
  /** Only tasks assigned to me: by my email, or to my role. */
  mine: ZBool.optional(),
  /** SPEC §10: tasks assigned to me (my email, my list, my role, my delegators') or to that person. */
  assignedTo: z.union([z.literal('me'), z.string().trim().toLowerCase().email('me or an email address')]).optional(),
  workflow: z.string().trim().min(1).max(200).optional(),
  /** Words in the title. */
  q: z.string().trim().max(200).optional(),
  /** Only open tasks past their due time (true), or not yet (false). */
  overdue: ZBool.optional(),
  /** Only claimed (true) or unclaimed (false) tasks. */
  claimed: ZBool.optional(),
  /** Newest first (default), or the soonest due first (no due time last). */
  sort: z.enum(['created', 'due']).optional(),
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
  const {
    status,
    mine,
    assignedTo,
    workflow,
    q,
    overdue,
    claimed,
    sort = 'created',
    limit,
    cursor,
  } = ZListTasks.parse(input);
  const size = ZLimit.parse(limit);
  const email = await actorEmail(db, ctx);
  const role = effectiveRole(ctx);
  const assignedToMe = assignedToSql(role, email, await delegatorsOf(db, ctx.tenantId, email));
  let query = selectTaskRows(db, ctx.tenantId).select([
    sql<string>`to_char(tasks.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_key'),
    sql<string>`coalesce(to_char(tasks.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'infinity')`.as(
      'due_key',
    ),
  ]);
  if (status) query = query.where('tasks.status', '=', status);
  if (mine || assignedTo === 'me') query = query.where(assignedToMe);
  else if (assignedTo) query = query.where(await assignedToPersonSql(db, ctx.tenantId, assignedTo));
  if (workflow) query = query.where('runs.workflow_key', '=', workflow);
  if (q) query = query.where(sql<boolean>`tasks.title ILIKE ${`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  if (overdue !== undefined)
    query = query.where(
      overdue
        ? sql<boolean>`(tasks.status = 'open' AND tasks.due_at < now())`
        : sql<boolean>`NOT (tasks.status = 'open' AND coalesce(tasks.due_at < now(), false))`,
    );
  if (claimed !== undefined) query = query.where('tasks.claimed_by', claimed ? 'is not' : 'is', null);
  const after = decodeCursor(cursor);
  if (after !== null) {
    const [at, id] = after.split('|');
    if (!at || !id || !z.string().uuid().safeParse(id).success || (at !== 'infinity' && Number.isNaN(Date.parse(at))))
      throw new AppError('VALIDATION', 'cursor: not a cursor this API returned', [
        { path: 'cursor', message: 'invalid cursor' },
      ]);
    query = query.where(
      sort === 'due'
        ? sql<boolean>`(coalesce(tasks.due_at, 'infinity'::timestamptz), tasks.id) > (${at}::timestamptz, ${id}::uuid)`
        : sql<boolean>`(tasks.created_at, tasks.id) < (${at}::timestamptz, ${id}::uuid)`,
    );
  }
  const rows = await (
    sort === 'due'
      ? query.orderBy(sql`coalesce(tasks.due_at, 'infinity'::timestamptz)`).orderBy('tasks.id')
      : query.orderBy('tasks.created_at', 'desc').orderBy('tasks.id', 'desc')
  )
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
    nextCursor:
      rows.length > size && last
        ? encodeCursor(`${sort === 'due' ? last.due_key : last.created_key}|${last.id}`)
        : null,
    counts,
  };
}
