import 'server-only';
import { sql } from 'kysely';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { roleAllows } from '@/model/roles';
import { actorEmail, assignedToSql, effectiveRole } from '@/server/tasks/task-record';
import { delegatorsOf } from '@/server/tasks/task-delegation';

/** How many open tasks of the tenant are assigned to me or my role: the Inbox badge. */
export async function countMyOpenTasks({ db, ctx }: { db: DbOrTx; ctx: TAuthContext }): Promise<number> {
  // The badge is in every page's shell; a caller who may not read runs simply has nothing to answer.
  if (!roleAllows(effectiveRole(ctx), 'run.read')) return 0;
  const email = await actorEmail(db, ctx);
  const row = await db
    .selectFrom('tasks')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('tenant_id', '=', ctx.tenantId)
    .where('status', '=', 'open')
    .where(assignedToSql(effectiveRole(ctx), email, await delegatorsOf(db, ctx.tenantId, email)))
    .executeTakeFirstOrThrow();
  return row.count;
}
