import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { AppError, toAppError } from '@/model/errors';
import { ZRole } from '@/model/roles';
import { formRequiresInput } from '@/model/tasks/task-form';
import { answerLockedTask } from '@/server/tasks/complete-task';
import { lockTask } from '@/server/tasks/lock-task';

/** A link token is 32 random bytes, base64url: 43 characters. Anything else is not one of ours. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** What the database keeps of a token: its SHA-256 (a leaked table answers no task). */
export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Makes one single-use link per outcome for one person of the tenant (SPEC §10): the raw
 * tokens go into that person's email only, the database keeps their hashes. Null when the
 * address is not a member's (a listed address without an account gets the task page link).
 */
export async function createTaskLinks(
  db: DbOrTx,
  { tenantId, taskId, outcomes, email }: { tenantId: string; taskId: string; outcomes: string[]; email: string },
): Promise<{ outcome: string; token: string }[] | null> {
  const member = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.email'])
    .where('memberships.tenant_id', '=', tenantId)
    .where(sql<boolean>`lower(users.email) = ${email.toLowerCase()}`)
    .executeTakeFirst();
  if (!member) return null;
  const links = outcomes.map((outcome) => ({ outcome, token: randomBytes(32).toString('base64url') }));
  await db
    .insertInto('task_links')
    .values(
      links.map((link) => ({
        tenant_id: tenantId,
        task_id: taskId,
        token_hash: hashLinkToken(link.token),
        outcome: link.outcome,
        user_id: member.id,
        email: member.email.toLowerCase(),
        used_at: null,
      })),
    )
    .execute();
  return links;
}

/** Drops links made for an email that was not sent after all (its message had been sent before). */
export async function dropTaskLinks(db: DbOrTx, tokens: string[]): Promise<void> {
  if (tokens.length === 0) return;
  await db.deleteFrom('task_links').where('token_hash', 'in', tokens.map(hashLinkToken)).execute();
}

/** What a link's page shows: the question, or why it can no longer answer. */
export type TTaskLinkView =
  | { state: 'invalid' }
  | {
      state: 'ready' | 'used' | 'closed' | 'needs-form';
      taskId: string;
      title: string;
      description: string;
      context: unknown;
      outcome: string;
      email: string;
      usedAt: string | null;
      taskStatus: string;
      decided: string | null;
    };

async function findLink(db: DbOrTx, token: string) {
  if (!TOKEN_PATTERN.test(token)) return null;
  const row = await db
    .selectFrom('task_links')
    .innerJoin('tasks', 'tasks.id', 'task_links.task_id')
    .select([
      'task_links.id',
      'task_links.tenant_id',
      'task_links.task_id',
      'task_links.outcome',
      'task_links.user_id',
      'task_links.email',
      'task_links.used_at',
      'tasks.title',
      'tasks.description',
      'tasks.context',
      'tasks.form',
      'tasks.status',
      'tasks.outcome as decided',
    ])
    .where('task_links.token_hash', '=', hashLinkToken(token))
    .whereRef('tasks.tenant_id', '=', 'task_links.tenant_id')
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Reads a one-click link for its confirmation page (GET /t/<token>). Reading never answers:
 * mail scanners fetch links before people click them.
 */
export async function readTaskLink({ db, token }: { db: DbOrTx; token: string }): Promise<TTaskLinkView> {
  const link = await findLink(db, token);
  if (!link) return { state: 'invalid' };
  const state = link.used_at
    ? 'used'
    : link.status !== 'open'
      ? 'closed'
      : formRequiresInput(link.form)
        ? 'needs-form'
        : 'ready';
  return {
    state,
    taskId: link.task_id,
    title: link.title,
    description: link.description,
    context: link.context ?? null,
    outcome: link.outcome,
    email: link.email,
    usedAt: link.used_at?.toISOString() ?? null,
    taskStatus: link.status,
    decided: link.decided,
  };
}

/** The person a link was made for, as they would be signed in to the link's tenant today. */
async function linkHolderContext(db: DbOrTx, link: { tenant_id: string; user_id: string }): Promise<TAuthContext> {
  const member = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .innerJoin('tenants', 'tenants.id', 'memberships.tenant_id')
    .select(['memberships.role', 'users.email', 'users.name', 'tenants.slug', 'tenants.name as tenant_name'])
    .where('memberships.tenant_id', '=', link.tenant_id)
    .where('memberships.user_id', '=', link.user_id)
    .executeTakeFirst();
  if (!member) throw new AppError('FORBIDDEN', 'The person this link was sent to is no longer a member here.');
  return {
    tenantId: link.tenant_id,
    tenantSlug: member.slug,
    tenantName: member.tenant_name,
    role: ZRole.parse(member.role),
    actor: { type: 'user', userId: link.user_id, email: member.email, name: member.name ?? member.email },
  };
}

export type TTaskLinkAnswer =
  { kind: 'answered'; outcome: string; decided: string | null; taskId: string } | { kind: 'refused'; message: string };

/**
 * Answers a task through a one-click link (POST /t/<token>), as the person it was sent to,
 * with every rule of a signed-in answer (assignee, claim, self-approval, quorum, delegation,
 * once per person). The link is spent in the answer's transaction, after the task is locked
 * (the runtime's lock order), so of two clicks one answers and the other finds it used; a
 * refused answer leaves the link as it was. A task whose form has a required field is never
 * answered this way.
 */
export async function answerByTaskLink({ db, token }: { db: Db; token: string }): Promise<TTaskLinkAnswer> {
  const link = await findLink(db, token);
  if (!link) return { kind: 'refused', message: 'This link is not valid. Open the task from your inbox instead.' };
  if (formRequiresInput(link.form))
    return { kind: 'refused', message: 'This task asks for more than an outcome: sign in and answer it in the inbox.' };
  try {
    return await db.transaction().execute(async (tx) => {
      const ctx = await linkHolderContext(tx, link);
      assertAllowed(ctx, 'task.answer');
      const task = await lockTask(tx, { tenantId: link.tenant_id, id: link.task_id });
      const spent = await tx
        .updateTable('task_links')
        .set({ used_at: sql`now()` })
        .where('id', '=', link.id)
        .where('used_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!spent) throw new AppError('CONFLICT', 'This link was already used; each link answers once.');
      const answered = await answerLockedTask(tx, {
        ctx,
        email: link.email,
        task,
        outcome: link.outcome,
        data: {},
      });
      return { kind: 'answered', outcome: link.outcome, decided: answered.outcome, taskId: link.task_id } as const;
    });
  } catch (error) {
    const appError = toAppError(error);
    if (appError.code === 'INTERNAL') throw error;
    return { kind: 'refused', message: appError.message };
  }
}
