import 'server-only';
import { z } from 'zod';
import { sql, type Selectable } from 'kysely';
import type { DbOrTx } from '@/server/db/database';
import type { TasksTable } from '@/server/db/runtime-schema';
import type { TAuthContext } from '@/server/auth/context';
import { ROLES, ZRole, type TRole } from '@/model/roles';
import { tallyAnswers, ZTaskApprovals, type TQuorumTally } from '@/model/tasks/task-quorum';
import { ZTaskAnswerEntry } from '@/server/tasks/task-rules';

export const TASK_STATUSES = ['open', 'completed', 'canceled', 'expired'] as const;
export const ZTaskStatus = z.enum(TASK_STATUSES);
export const ZTaskId = z.string().uuid('not a task id');
export const ZTaskAssigneeRecord = z.union([
  z.object({ role: ZRole }),
  z.object({ user: z.string() }),
  z.object({ users: z.array(z.string()) }),
]);
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
  /** SPEC §10: the quorum rule (null: the first answer decides), the answers so far and their count. */
  approvals: ZTaskApprovals.nullable(),
  answers: z.array(ZTaskAnswerEntry),
  tally: z.object({
    approvals: z.number().int(),
    required: z.number().int(),
    rejections: z.number().int(),
    rejectAt: z.number().int(),
    decided: z.string().nullable(),
  }),
  allowSelfApproval: z.boolean(),
  context: z.unknown(),
  claimedBy: z.string().nullable(),
  claimedAt: z.string().nullable(),
});
export type TTaskRecord = z.infer<typeof ZTaskRecord>;

export type TTaskRow = Selectable<TasksTable> & { workflow_key: string; answers: unknown };

/** Tasks of one tenant joined with their run's workflow key. */
export function selectTaskRows(db: DbOrTx, tenantId: string) {
  return db
    .selectFrom('tasks')
    .innerJoin('runs', 'runs.id', 'tasks.run_id')
    .selectAll('tasks')
    .select('runs.workflow_key')
    .select(
      sql<unknown>`coalesce((SELECT jsonb_agg(jsonb_build_object('outcome', a.outcome, 'data', a.data, 'by', a.by,
        'onBehalfOf', a.on_behalf_of, 'at', to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        ORDER BY a.at, a.id) FROM task_answers a WHERE a.task_id = tasks.id), '[]'::jsonb)`.as('answers'),
    )
    .where('tasks.tenant_id', '=', tenantId);
}

/** How many people may answer: the listed ones, or null for a role or one person. */
export function eligibleCount(assignee: TTaskAssignee): number | null {
  return 'users' in assignee ? assignee.users.length : 'user' in assignee ? 1 : null;
}

export function taskTally(
  row: Pick<TTaskRow, 'outcomes' | 'approvals' | 'assignee'>,
  answers: { outcome: string; by: string }[],
): TQuorumTally {
  return tallyAnswers({
    outcomes: row.outcomes,
    approvals: row.approvals ? ZTaskApprovals.parse(row.approvals) : null,
    eligible: eligibleCount(ZTaskAssigneeRecord.parse(row.assignee)),
    answers,
  });
}

export function toTaskRecord(row: TTaskRow): TTaskRecord {
  const answers = z.array(ZTaskAnswerEntry).parse(row.answers ?? []);
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
    approvals: row.approvals ? ZTaskApprovals.parse(row.approvals) : null,
    answers,
    tally: taskTally(row, answers),
    allowSelfApproval: row.allow_self_approval !== false,
    context: row.context ?? null,
    claimedBy: row.claimed_by,
    claimedAt: row.claimed_at?.toISOString() ?? null,
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

/** The task is assigned to this person: by name, in its list, or to their role (admins aside). */
export function isAssignedTo(assignee: TTaskAssignee, role: TRole, email: string | null): boolean {
  if ('user' in assignee) return email !== null && assignee.user.toLowerCase() === email;
  if ('users' in assignee) return email !== null && assignee.users.some((user) => user.toLowerCase() === email);
  return assignee.role === role;
}

/** Who may answer: the named person or people, or anyone whose role is the task's role; admins always. */
export function mayAnswer(assignee: TTaskAssignee, ctx: TAuthContext, email: string | null): boolean {
  const role = effectiveRole(ctx);
  if (role === 'admin') return true;
  return isAssignedTo(assignee, role, email);
}

/** SQL: the task is assigned to this role or this person, alone or in a list (the inbox's "mine"). */
export function assignedToSql(role: TRole, email: string | null, delegators: readonly string[] = []) {
  const people = [email ?? '', ...delegators];
  return sql<boolean>`(tasks.assignee->>'role' = ${role} OR lower(tasks.assignee->>'user') = ANY(${people}::text[])
    OR (tasks.assignee ? 'users' AND tasks.assignee->'users' ?| ${people}::text[]))`;
}

/** The delegator this person answers for: the first one the task names (null: none, or answering as themselves). */
export function delegatorFor(assignee: TTaskAssignee, delegators: readonly string[]): string | null {
  const named = 'user' in assignee ? [assignee.user] : 'users' in assignee ? assignee.users : [];
  return named.map((user) => user.toLowerCase()).find((user) => delegators.includes(user)) ?? null;
}

/** SQL: the task is assigned to that member of the tenant (by email, in a list, by their role) or claimed by them. */
export async function assignedToPersonSql(db: DbOrTx, tenantId: string, email: string) {
  const member = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('memberships.role')
    .where('memberships.tenant_id', '=', tenantId)
    .where(sql<boolean>`lower(users.email) = ${email}`)
    .executeTakeFirst();
  return sql<boolean>`(${assignedToSql(member?.role ?? ('' as TRole), email)} OR tasks.claimed_by = ${email})`;
}
