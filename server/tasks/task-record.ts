import 'server-only';
import { z } from 'zod';
import { sql, type Selectable } from 'kysely';
import type { DbOrTx } from '@/server/db/database';
import type { TasksTable } from '@/server/db/runtime-schema';
import type { TAuthContext } from '@/server/auth/context';
import { ROLES, ZRole, type TRole } from '@/model/roles';

export const TASK_STATUSES = ['open', 'completed', 'canceled', 'expired'] as const;
export const ZTaskStatus = z.enum(TASK_STATUSES);
export const ZTaskId = z.string().uuid('not a task id');
export const ZTaskAssigneeRecord = z.union([z.object({ role: ZRole }), z.object({ user: z.string() })]);
export type TTaskAssignee = z.infer<typeof ZTaskAssigneeRecord>;

/** A task as the API returns it (SPEC §6.1), with its run's workflow and when it was created. */
export const ZTaskRecord = z.object({
  id: z.string(),
  runId: z.string(),
  workflowKey: z.string(),
  stepId: z.string(),
  title: z.string(),
  description: z.string(),
  form: z.record(z.unknown()),
  outcomes: z.array(z.string()),
  assignee: ZTaskAssigneeRecord,
  status: ZTaskStatus,
  dueAt: z.string().nullable(),
  outcome: z.string().nullable(),
  data: z.unknown(),
  completedBy: z.string().nullable(),
  completedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TTaskRecord = z.infer<typeof ZTaskRecord>;

export type TTaskRow = Selectable<TasksTable> & { workflow_key: string };

/** Tasks of one tenant joined with their run's workflow key. */
export function selectTaskRows(db: DbOrTx, tenantId: string) {
  return db
    .selectFrom('tasks')
    .innerJoin('runs', 'runs.id', 'tasks.run_id')
    .selectAll('tasks')
    .select('runs.workflow_key')
    .where('tasks.tenant_id', '=', tenantId);
}

export function toTaskRecord(row: TTaskRow): TTaskRecord {
  return {
    id: row.id,
    runId: row.run_id,
    workflowKey: row.workflow_key,
    stepId: row.step_id,
    title: row.title,
    description: row.description,
    form: z.record(z.unknown()).parse(row.form),
    outcomes: row.outcomes,
    assignee: ZTaskAssigneeRecord.parse(row.assignee),
    status: row.status,
    dueAt: row.due_at?.toISOString() ?? null,
    outcome: row.outcome,
    data: row.data ?? null,
    completedBy: row.completed_by,
    completedAt: row.completed_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

/** The email tasks are assigned by: the person's, or for an API token its owner's. */
export async function actorEmail(db: DbOrTx, ctx: TAuthContext): Promise<string | null> {
  switch (ctx.actor.type) {
    case 'user':
      return ctx.actor.email.toLowerCase();
    case 'token': {
      if (!ctx.actor.userId) return null;
      const user = await db.selectFrom('users').select('email').where('id', '=', ctx.actor.userId).executeTakeFirst();
      return user?.email.toLowerCase() ?? null;
    }
    case 'system':
      return null;
  }
}

/** The role a caller acts with: for a token, the weaker of its own role and its owner's current one. */
export function effectiveRole(ctx: TAuthContext): TRole {
  if (!ctx.roleCap) return ctx.role;
  return ROLES.indexOf(ctx.roleCap) > ROLES.indexOf(ctx.role) ? ctx.roleCap : ctx.role;
}

/** Who may answer: the named person, or anyone whose role is the task's role; admins always. */
export function mayAnswer(assignee: TTaskAssignee, ctx: TAuthContext, email: string | null): boolean {
  const role = effectiveRole(ctx);
  if (role === 'admin') return true;
  if ('user' in assignee) return email !== null && assignee.user.toLowerCase() === email;
  return assignee.role === role;
}

/** SQL: the task is assigned to this role or this person (the inbox's "mine"). */
export function assignedToSql(role: TRole, email: string | null) {
  return sql<boolean>`(tasks.assignee->>'role' = ${role} OR lower(tasks.assignee->>'user') = ${email ?? ''})`;
}
