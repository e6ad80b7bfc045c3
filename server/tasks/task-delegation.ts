import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db, DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';

const MAX_RANGE_MS = 366 * 86_400_000;

/** An ISO date or time (e.g. 2026-12-24 or 2026-12-24T00:00:00Z). */
const ZWhen = z
  .string()
  .trim()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'must be a date, e.g. 2026-12-24')
  .transform((text) => new Date(text));

export const ZSetDelegation = z
  .object({
    delegateTo: z
      .string()
      .trim()
      .email('must be an email address')
      .transform((email) => email.toLowerCase()),
    from: ZWhen,
    until: ZWhen,
  })
  .refine((range) => range.until > range.from, { path: ['until'], message: 'must be after the start' })
  .refine((range) => range.until.getTime() - range.from.getTime() <= MAX_RANGE_MS, {
    path: ['until'],
    message: 'a delegation lasts at most a year',
  });

/** What the Account page sends (setDelegation checks it with ZSetDelegation, naming each bad field). */
export const ZSetDelegationForm = z.object({
  delegateTo: z.string().max(254),
  from: z.string().max(40),
  until: z.string().max(40),
});

export const ZDelegation = z.object({ delegateTo: z.string(), from: z.string(), until: z.string() });
export type TDelegation = z.infer<typeof ZDelegation>;

function personOf(ctx: TAuthContext): string {
  if (ctx.actor.type !== 'user') throw new AppError('FORBIDDEN', 'Only a person signed in can delegate their tasks.');
  return ctx.actor.userId;
}

/** My delegation in this tenant, if I set one. */
export async function getMyDelegation({ db, ctx }: { db: DbOrTx; ctx: TAuthContext }): Promise<TDelegation | null> {
  if (ctx.actor.type !== 'user') return null;
  const row = await db
    .selectFrom('task_delegations')
    .innerJoin('users', 'users.id', 'task_delegations.delegate_id')
    .select(['users.email', 'task_delegations.starts_at', 'task_delegations.ends_at'])
    .where('task_delegations.tenant_id', '=', ctx.tenantId)
    .where('task_delegations.user_id', '=', ctx.actor.userId)
    .executeTakeFirst();
  return row
    ? { delegateTo: row.email.toLowerCase(), from: row.starts_at.toISOString(), until: row.ends_at.toISOString() }
    : null;
}

/**
 * Delegates the tasks assigned to me by name to another member for a date range (SPEC §10).
 * No chains: the delegate may not be delegating their own tasks in an overlapping range, and
 * only direct delegations ever count when answering.
 */
export async function setDelegation({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: z.input<typeof ZSetDelegation>;
}): Promise<TDelegation> {
  assertAllowed(ctx, 'tenant.read');
  const me = personOf(ctx);
  const args = ZSetDelegation.parse(input);
  return db.transaction().execute(async (tx) => {
    const delegate = await tx
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['users.id', 'memberships.role'])
      .where('memberships.tenant_id', '=', ctx.tenantId)
      .where(sql<boolean>`lower(users.email) = ${args.delegateTo}`)
      .executeTakeFirst();
    if (!delegate)
      throw new AppError('VALIDATION', `delegateTo: ${args.delegateTo} is not a member of this tenant`, [
        { path: 'delegateTo', message: 'not a member of this tenant' },
      ]);
    if (delegate.id === me)
      throw new AppError('VALIDATION', 'delegateTo: you cannot delegate to yourself', [
        { path: 'delegateTo', message: 'choose someone else' },
      ]);
    if (delegate.role === 'viewer' || delegate.role === 'editor')
      throw new AppError(
        'VALIDATION',
        `delegateTo: ${args.delegateTo} is ${delegate.role === 'editor' ? 'an editor' : 'a viewer'} and cannot answer tasks`,
        [{ path: 'delegateTo', message: 'must be an operator or an admin' }],
      );
    const chained = await tx
      .selectFrom('task_delegations')
      .select('user_id')
      .where('tenant_id', '=', ctx.tenantId)
      .where('user_id', '=', delegate.id)
      .where('starts_at', '<', args.until)
      .where('ends_at', '>', args.from)
      .executeTakeFirst();
    if (chained)
      throw new AppError(
        'CONFLICT',
        `${args.delegateTo} delegates their own tasks during that time; delegations do not chain, choose someone else.`,
      );
    await tx
      .insertInto('task_delegations')
      .values({
        tenant_id: ctx.tenantId,
        user_id: me,
        delegate_id: delegate.id,
        starts_at: args.from,
        ends_at: args.until,
      })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'user_id'])
          .doUpdateSet({ delegate_id: delegate.id, starts_at: args.from, ends_at: args.until }),
      )
      .execute();
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'task.delegation_set',
        targetType: 'user',
        targetId: me,
        data: { delegateTo: args.delegateTo, from: args.from.toISOString(), until: args.until.toISOString() },
      },
    });
    return { delegateTo: args.delegateTo, from: args.from.toISOString(), until: args.until.toISOString() };
  });
}

/** Ends my delegation. */
export async function clearDelegation({ db, ctx }: { db: Db; ctx: TAuthContext }): Promise<void> {
  assertAllowed(ctx, 'tenant.read');
  const me = personOf(ctx);
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('task_delegations').where('tenant_id', '=', ctx.tenantId).where('user_id', '=', me).execute();
    await recordAudit({
      db: tx,
      ctx,
      entry: { action: 'task.delegation_cleared', targetType: 'user', targetId: me, data: {} },
    });
  });
}

/** The emails of the people whose delegation to this person is in effect now (one hop only). */
export async function delegatorsOf(db: DbOrTx, tenantId: string, email: string | null): Promise<string[]> {
  if (!email) return [];
  const rows = await db
    .selectFrom('task_delegations')
    .innerJoin('users as delegate', 'delegate.id', 'task_delegations.delegate_id')
    .innerJoin('users as delegator', 'delegator.id', 'task_delegations.user_id')
    .select('delegator.email')
    .where('task_delegations.tenant_id', '=', tenantId)
    .where(sql<boolean>`lower(delegate.email) = ${email}`)
    .where('task_delegations.starts_at', '<=', sql<Date>`now()`)
    .where('task_delegations.ends_at', '>', sql<Date>`now()`)
    .execute();
  return rows.map((row) => row.email.toLowerCase());
}
