import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorLabel, type TAuthContext } from '@/server/auth/context';
import { resolveMembership } from '@/server/auth/resolve-membership';
import { createDb } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { addMember, ZAddMember } from '@/server/members/add-member';
import { changeMemberRole } from '@/server/members/change-member-role';
import { listMembers } from '@/server/members/list-members';
import { removeMember } from '@/server/members/remove-member';
import { createApiToken } from '@/server/tokens/create-api-token';
import { resolveApiToken } from '@/server/tokens/resolve-api-token';
import { verifyCredentials } from '@/server/users/verify-credentials';
import { auditRowsWrittenBy, errorOf } from '@/test/audit';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';

let t: TTestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('members');
});
afterAll(async () => t.close());

async function codeOf(change: () => Promise<unknown>): Promise<string> {
  const error = await errorOf(change);
  expect(error).toBeInstanceOf(AppError);
  return (error as AppError).code;
}

const adminCount = async (tenantId: string) =>
  (
    await t.db
      .selectFrom('memberships')
      .select('user_id')
      .where('tenant_id', '=', tenantId)
      .where('role', '=', 'admin')
      .execute()
  ).length;

async function labelOf(ctx: TAuthContext): Promise<string> {
  return actorLabel(ctx.actor);
}

describe('adding a member', () => {
  it('creates an account with a one-time password for someone new, who can then sign in', async () => {
    const { ctx, tenantId } = await createTenantWithMember({ db: t.db });
    const input = ZAddMember.parse({ email: '  New.Person@Example.com ', role: 'editor' });
    const { result, rows } = await auditRowsWrittenBy(t.db, tenantId, () => addMember({ db: t.db, ctx, input }));
    expect(result.initialPassword).toEqual(expect.any(String));
    expect(result.initialPassword!.length).toBeGreaterThanOrEqual(16);
    expect(
      (await verifyCredentials({ db: t.db, email: 'new.person@example.com', password: result.initialPassword! }))?.id,
    ).toBe(result.userId);
    expect(await listMembers({ db: t.db, ctx })).toContainEqual(
      expect.objectContaining({ userId: result.userId, email: 'new.person@example.com', role: 'editor' }),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_label: await labelOf(ctx),
      action: 'member.added',
      target_type: 'user',
      target_id: result.userId,
      data: { role: 'editor', newAccount: true },
    });
    expect(JSON.stringify(rows[0])).not.toContain(result.initialPassword!);
  });

  it('adds someone who already has an account without touching their password', async () => {
    const first = await createTenantWithMember({ db: t.db, password: 'their own password' });
    const second = await createTenantWithMember({ db: t.db });
    const result = await addMember({ db: t.db, ctx: second.ctx, input: { email: first.email, role: 'viewer' } });
    expect(result).toEqual({ userId: first.userId, initialPassword: null });
    expect((await verifyCredentials({ db: t.db, email: first.email, password: 'their own password' }))?.id).toBe(
      first.userId,
    );
  });

  it('lets two admins add the same new person at once: one account, one membership, the other a CONFLICT', async () => {
    const { ctx, tenantId } = await createTenantWithMember({ db: t.db });
    const other = await addMemberTo({ db: t.db, ctx, role: 'admin' });
    const [poolA, poolB] = [createDb(t.url, { max: 1 }).db, createDb(t.url, { max: 1 }).db];
    const email = `raced-${tenantId.slice(0, 8)}@example.com`;
    const results = await Promise.allSettled([
      addMember({ db: poolA, ctx, input: { email, role: 'viewer' } }),
      addMember({ db: poolB, ctx: other.ctx, input: { email, role: 'editor' } }),
    ]);
    await Promise.all([poolA.destroy(), poolB.destroy()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(AppError);
    expect((rejected?.reason as AppError).code).toBe('CONFLICT');
    expect(await t.db.selectFrom('users').select('id').where('email', '=', email).execute()).toHaveLength(1);
    expect((await listMembers({ db: t.db, ctx })).filter((m) => m.email === email)).toHaveLength(1);
  });

  it('answers CONFLICT for someone who is already a member, and writes no audit entry', async () => {
    const { ctx, tenantId } = await createTenantWithMember({ db: t.db });
    const existing = await addMemberTo({ db: t.db, ctx, role: 'operator' });
    const { rows } = await auditRowsWrittenBy(t.db, tenantId, async () => {
      expect(await codeOf(() => addMember({ db: t.db, ctx, input: { email: existing.email, role: 'admin' } }))).toBe(
        'CONFLICT',
      );
    });
    expect(rows).toHaveLength(0);
    expect((await listMembers({ db: t.db, ctx })).find((m) => m.userId === existing.userId)?.role).toBe('operator');
  });
});

describe('changing a role', () => {
  it('takes effect on the very next request (roles are read per call)', async () => {
    const { ctx, tenantId } = await createTenantWithMember({ db: t.db });
    const member = await addMemberTo({ db: t.db, ctx, role: 'viewer' });
    expect((await resolveMembership({ db: t.db, userId: member.userId, sessionVersion: 0 }))?.role).toBe('viewer');
    const { rows } = await auditRowsWrittenBy(t.db, tenantId, () =>
      changeMemberRole({ db: t.db, ctx, input: { userId: member.userId, role: 'operator' } }),
    );
    expect((await resolveMembership({ db: t.db, userId: member.userId, sessionVersion: 0 }))?.role).toBe('operator');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_type: 'user',
      actor_label: await labelOf(ctx),
      action: 'member.role_changed',
      target_type: 'user',
      target_id: member.userId,
      data: { from: 'viewer', to: 'operator' },
    });
  });

  it('to the same role changes nothing and writes no audit entry', async () => {
    const { ctx, tenantId } = await createTenantWithMember({ db: t.db });
    const member = await addMemberTo({ db: t.db, ctx, role: 'editor' });
    const { rows } = await auditRowsWrittenBy(t.db, tenantId, () =>
      changeMemberRole({ db: t.db, ctx, input: { userId: member.userId, role: 'editor' } }),
    );
    expect(rows).toHaveLength(0);
  });

  it('refuses to demote the last admin (CONFLICT) but allows it once another admin exists', async () => {
    const { ctx, userId, tenantId } = await createTenantWithMember({ db: t.db });
    expect(await codeOf(() => changeMemberRole({ db: t.db, ctx, input: { userId, role: 'editor' } }))).toBe('CONFLICT');
    expect(await adminCount(tenantId)).toBe(1);
    const second = await addMemberTo({ db: t.db, ctx, role: 'admin' });
    await changeMemberRole({ db: t.db, ctx: second.ctx, input: { userId, role: 'editor' } });
    expect(await adminCount(tenantId)).toBe(1);
  });

  it('lets at most one of two concurrent demotions of the only two admins succeed; the other is a CONFLICT', async () => {
    for (let round = 0; round < 3; round++) {
      const first = await createTenantWithMember({ db: t.db });
      const second = await addMemberTo({ db: t.db, ctx: first.ctx, role: 'admin' });
      // Separate pools, so the two transactions really run side by side.
      const [poolA, poolB] = [createDb(t.url, { max: 1 }).db, createDb(t.url, { max: 1 }).db];
      const results = await Promise.allSettled([
        changeMemberRole({ db: poolA, ctx: first.ctx, input: { userId: second.userId, role: 'viewer' } }),
        changeMemberRole({ db: poolB, ctx: second.ctx, input: { userId: first.userId, role: 'viewer' } }),
      ]);
      await Promise.all([poolA.destroy(), poolB.destroy()]);
      expect(await adminCount(first.tenantId)).toBe(1);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(AppError);
      expect((rejected?.reason as AppError).code).toBe('CONFLICT');
    }
  });

  it("answers NOT_FOUND for another tenant's member", async () => {
    const mine = await createTenantWithMember({ db: t.db });
    const theirs = await createTenantWithMember({ db: t.db, role: 'viewer' });
    expect(
      await codeOf(() =>
        changeMemberRole({ db: t.db, ctx: mine.ctx, input: { userId: theirs.userId, role: 'admin' } }),
      ),
    ).toBe('NOT_FOUND');
    expect((await resolveMembership({ db: t.db, userId: theirs.userId, sessionVersion: 0 }))?.role).toBe('viewer');
  });
});

describe('removing a member', () => {
  it('refuses to remove the last admin (CONFLICT)', async () => {
    const { ctx, userId, tenantId } = await createTenantWithMember({ db: t.db });
    expect(await codeOf(() => removeMember({ db: t.db, ctx, input: { userId } }))).toBe('CONFLICT');
    expect(await adminCount(tenantId)).toBe(1);
  });

  it('lets at most one of two concurrent removals of the only two admins succeed; the other is a CONFLICT', async () => {
    for (let round = 0; round < 3; round++) {
      const first = await createTenantWithMember({ db: t.db });
      const second = await addMemberTo({ db: t.db, ctx: first.ctx, role: 'admin' });
      const [poolA, poolB] = [createDb(t.url, { max: 1 }).db, createDb(t.url, { max: 1 }).db];
      const results = await Promise.allSettled([
        removeMember({ db: poolA, ctx: first.ctx, input: { userId: second.userId } }),
        removeMember({ db: poolB, ctx: second.ctx, input: { userId: first.userId } }),
      ]);
      await Promise.all([poolA.destroy(), poolB.destroy()]);
      expect(await adminCount(first.tenantId)).toBe(1);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(AppError);
      expect((rejected?.reason as AppError).code).toBe('CONFLICT');
    }
  });

  it('ends their access at once and revokes the tokens they made in that tenant only', async () => {
    const home = await createTenantWithMember({ db: t.db });
    const elsewhere = await createTenantWithMember({ db: t.db });
    const member = await addMemberTo({ db: t.db, ctx: home.ctx, role: 'editor' });
    await addMember({ db: t.db, ctx: elsewhere.ctx, input: { email: member.email, role: 'editor' } });
    const elsewhereCtx = { ...elsewhere.ctx, role: 'editor' as const, actor: member.ctx.actor };
    const homeToken = await createApiToken({ db: t.db, ctx: member.ctx, input: { name: 'home', role: 'editor' } });
    const elsewhereToken = await createApiToken({
      db: t.db,
      ctx: elsewhereCtx,
      input: { name: 'elsewhere', role: 'editor' },
    });
    const adminsToken = await createApiToken({
      db: t.db,
      ctx: home.ctx,
      input: { name: 'admin-made', role: 'viewer' },
    });

    const { rows } = await auditRowsWrittenBy(t.db, home.tenantId, () =>
      removeMember({ db: t.db, ctx: home.ctx, input: { userId: member.userId } }),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_label: home.email,
      action: 'member.removed',
      target_type: 'user',
      target_id: member.userId,
      data: { role: 'editor', tokensRevoked: 1 },
    });

    expect(await resolveApiToken({ db: t.db, token: homeToken.token })).toBeNull();
    expect((await resolveApiToken({ db: t.db, token: elsewhereToken.token }))?.tenantId).toBe(elsewhere.tenantId);
    expect(await resolveApiToken({ db: t.db, token: adminsToken.token })).not.toBeNull();
    // Still a member elsewhere: signed in again (the removal ended their sessions, so the
    // version is 1 now) they land there, not in the tenant they left.
    expect(
      (await resolveMembership({ db: t.db, userId: member.userId, sessionVersion: 1, tenantSlug: home.ctx.tenantSlug }))
        ?.tenantId,
    ).toBe(elsewhere.tenantId);
  });

  it('leaves someone removed from their only tenant with no membership to sign in to', async () => {
    const { ctx } = await createTenantWithMember({ db: t.db });
    const member = await addMemberTo({ db: t.db, ctx, role: 'operator' });
    expect(await resolveMembership({ db: t.db, userId: member.userId, sessionVersion: 0 })).not.toBeNull();
    await removeMember({ db: t.db, ctx, input: { userId: member.userId } });
    expect(
      await resolveMembership({ db: t.db, userId: member.userId, sessionVersion: 1, tenantSlug: ctx.tenantSlug }),
    ).toBeNull();
  });

  it("answers NOT_FOUND for another tenant's member and leaves them in place", async () => {
    const mine = await createTenantWithMember({ db: t.db });
    const theirs = await createTenantWithMember({ db: t.db });
    const theirMember = await addMemberTo({ db: t.db, ctx: theirs.ctx, role: 'viewer' });
    expect(await codeOf(() => removeMember({ db: t.db, ctx: mine.ctx, input: { userId: theirMember.userId } }))).toBe(
      'NOT_FOUND',
    );
    expect((await listMembers({ db: t.db, ctx: theirs.ctx })).map((m) => m.userId)).toContain(theirMember.userId);
  });
});
