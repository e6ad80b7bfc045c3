import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMembership } from '@/server/auth/resolve-membership';
import { addMember } from '@/server/members/add-member';
import { removeMember } from '@/server/members/remove-member';
import { changePassword } from '@/server/users/change-password';
import { endUserSessions } from '@/server/users/end-user-sessions';
import { verifyCredentials } from '@/server/users/verify-credentials';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';

// Issue #15, item 2: a session carries the version of its person's sessions it was issued
// under; a password change, a sign-out or a removal moves the version on, and every request
// checks it, so older cookies stop working at once instead of at their 7-day expiry.

let t: TTestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('session_version');
});
afterAll(async () => t.close());

describe('session versions', () => {
  it('signs people in under their current version, and only that version resolves', async () => {
    const member = await createTenantWithMember({ db: t.db, password: 'versioned password' });
    const user = await verifyCredentials({
      db: t.db,
      email: member.email,
      password: 'versioned password',
      ip: '192.0.2.1',
    });
    expect(user?.sessionVersion).toBe(0);
    expect(await resolveMembership({ db: t.db, userId: member.userId, sessionVersion: 0 })).not.toBeNull();
    expect(await resolveMembership({ db: t.db, userId: member.userId, sessionVersion: 1 })).toBeNull();
  });

  it('a password change ends every earlier session and hands the new version to the session that made it', async () => {
    const member = await createTenantWithMember({ db: t.db, password: 'old password value' });
    const { sessionVersion } = await changePassword({
      db: t.db,
      ctx: member.ctx,
      input: { currentPassword: 'old password value', newPassword: 'new password value' },
    });
    expect(sessionVersion).toBe(1);
    expect(await resolveMembership({ db: t.db, userId: member.userId, sessionVersion: 0 })).toBeNull();
    expect((await resolveMembership({ db: t.db, userId: member.userId, sessionVersion }))?.tenantId).toBe(
      member.tenantId,
    );
  });

  it('signing out ends every session of the person, but a stale cookie cannot sign anyone out', async () => {
    const member = await createTenantWithMember({ db: t.db });
    expect(await endUserSessions({ db: t.db, userId: member.userId, sessionVersion: 0 })).toBe(true);
    expect(await resolveMembership({ db: t.db, userId: member.userId, sessionVersion: 0 })).toBeNull();
    // Someone replaying the old cookie's sign-out must not end the person's new sessions.
    expect(await endUserSessions({ db: t.db, userId: member.userId, sessionVersion: 0 })).toBe(false);
    expect(await resolveMembership({ db: t.db, userId: member.userId, sessionVersion: 1 })).not.toBeNull();
  });

  it('removing a member ends their sessions, also in the tenants they stay in', async () => {
    const home = await createTenantWithMember({ db: t.db });
    const elsewhere = await createTenantWithMember({ db: t.db });
    const member = await addMemberTo({ db: t.db, ctx: home.ctx, role: 'editor' });
    await addMember({ db: t.db, ctx: elsewhere.ctx, input: { email: member.email, role: 'viewer' } });
    expect(
      (await resolveMembership({ db: t.db, userId: member.userId, sessionVersion: 0, tenantSlug: home.ctx.tenantSlug }))
        ?.tenantId,
    ).toBe(home.tenantId);
    await removeMember({ db: t.db, ctx: home.ctx, input: { userId: member.userId } });
    expect(await resolveMembership({ db: t.db, userId: member.userId, sessionVersion: 0 })).toBeNull();
    // Signing in again lands in the tenant they still belong to.
    expect(
      (await resolveMembership({ db: t.db, userId: member.userId, sessionVersion: 1, tenantSlug: home.ctx.tenantSlug }))
        ?.tenantId,
    ).toBe(elsewhere.tenantId);
  });
});
