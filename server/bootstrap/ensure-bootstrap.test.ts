import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '@/server/db/database';
import { ensureBootstrap, DEFAULT_TENANT_SLUG } from '@/server/bootstrap/ensure-bootstrap';
import { resolveMembership } from '@/server/auth/resolve-membership';
import { AppError } from '@/model/errors';
import { generateApiToken } from '@/server/tokens/token-format';
import { resolveApiToken } from '@/server/tokens/resolve-api-token';
import { revokeApiToken } from '@/server/tokens/revoke-api-token';
import { changePassword } from '@/server/users/change-password';
import { verifyCredentials } from '@/server/users/verify-credentials';
import { errorOf } from '@/test/audit';
import { createTestDatabase, type TTestDatabase } from '@/test/database';

// ensureBootstrap looks at the whole database ("is there any user yet?"), so each behaviour
// starts from an empty one: the file shares one database and empties it before each test
// (the last test's state stays behind for a look).
let shared: TTestDatabase;
beforeAll(async () => {
  shared = await createTestDatabase('bootstrap');
});
afterAll(async () => shared.close());
async function emptyDatabase(): Promise<TTestDatabase> {
  await sql`TRUNCATE tenants, users, memberships, api_tokens, secrets, audit_log CASCADE`.execute(shared.db);
  return shared;
}

const ADMIN = { adminEmail: 'Admin@Example.com', adminPassword: 'first start password' };

async function counts(t: TTestDatabase) {
  const count = async (table: 'tenants' | 'users' | 'memberships' | 'api_tokens') =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    tenants: await count('tenants'),
    users: await count('users'),
    memberships: await count('memberships'),
    tokens: await count('api_tokens'),
  };
}

describe('the first start on an empty database', () => {
  it("creates the 'default' tenant and one admin who can sign in", async () => {
    const t = await emptyDatabase();
    const result = await ensureBootstrap({ db: t.db, ...ADMIN });
    expect(result).toEqual({ adminEmail: 'admin@example.com', passwordStillValid: true, adminCreated: true });
    expect(await counts(t)).toEqual({ tenants: 1, users: 1, memberships: 1, tokens: 0 });
    const user = await verifyCredentials({ db: t.db, email: 'admin@example.com', password: ADMIN.adminPassword });
    const ctx = await resolveMembership({ db: t.db, userId: user!.id, sessionVersion: 0 });
    expect(ctx).toMatchObject({ tenantSlug: DEFAULT_TENANT_SLUG, role: 'admin' });
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type', 'actor_label'])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'tenant.created', actor_type: 'system', actor_label: 'bootstrap' },
      { action: 'member.added', actor_type: 'system', actor_label: 'bootstrap' },
    ]);
  });
});

describe('every later start', () => {
  it('creates nothing and never resets a password the admin changed', async () => {
    const t = await emptyDatabase();
    await ensureBootstrap({ db: t.db, ...ADMIN });
    const second = await ensureBootstrap({ db: t.db, ...ADMIN });
    expect(second).toEqual({ adminEmail: 'admin@example.com', passwordStillValid: true, adminCreated: false });

    const user = await verifyCredentials({ db: t.db, email: ADMIN.adminEmail, password: ADMIN.adminPassword });
    const ctx = (await resolveMembership({ db: t.db, userId: user!.id, sessionVersion: 0 }))!;
    await changePassword({
      db: t.db,
      ctx,
      input: { currentPassword: ADMIN.adminPassword, newPassword: 'changed by the admin' },
    });
    const auditBefore = (await t.db.selectFrom('audit_log').select('id').execute()).length;

    const third = await ensureBootstrap({ db: t.db, ...ADMIN });
    expect(third).toEqual({ adminEmail: 'admin@example.com', passwordStillValid: false, adminCreated: false });
    expect(await counts(t)).toEqual({ tenants: 1, users: 1, memberships: 1, tokens: 0 });
    expect(await verifyCredentials({ db: t.db, email: ADMIN.adminEmail, password: ADMIN.adminPassword })).toBeNull();
    expect((await verifyCredentials({ db: t.db, email: ADMIN.adminEmail, password: 'changed by the admin' }))?.id).toBe(
      user!.id,
    );
    expect((await t.db.selectFrom('audit_log').select('id').execute()).length).toBe(auditBefore);
  });

  it('is safe from three processes at once: one tenant, one admin, one token', async () => {
    const t = await emptyDatabase();
    const bootstrapToken = generateApiToken();
    const pools = Array.from({ length: 3 }, () => createDb(t.url, { max: 1 }).db);
    const results = await Promise.all(pools.map((db) => ensureBootstrap({ db, ...ADMIN, bootstrapToken })));
    await Promise.all(pools.map((db) => db.destroy()));
    expect(results.filter((r) => r.adminCreated)).toHaveLength(1);
    expect(results.every((r) => r.passwordStillValid)).toBe(true);
    expect(await counts(t)).toEqual({ tenants: 1, users: 1, memberships: 1, tokens: 1 });
  });
});

describe('PIPEWRIGHT_BOOTSTRAP_TOKEN', () => {
  it("works as an admin API token in the 'default' tenant", async () => {
    const t = await emptyDatabase();
    const bootstrapToken = generateApiToken();
    await ensureBootstrap({ db: t.db, ...ADMIN, bootstrapToken });
    const ctx = await resolveApiToken({ db: t.db, token: bootstrapToken });
    expect(ctx).toMatchObject({
      tenantSlug: DEFAULT_TENANT_SLUG,
      role: 'admin',
      actor: { type: 'token', name: 'bootstrap' },
    });
    const row = await t.db.selectFrom('api_tokens').selectAll().executeTakeFirstOrThrow();
    expect(row.token_hash).not.toContain(bootstrapToken.slice(3));
    await ensureBootstrap({ db: t.db, ...ADMIN, bootstrapToken });
    expect((await counts(t)).tokens).toBe(1);
  });

  it('is restored on the next start after someone revokes it', async () => {
    const t = await emptyDatabase();
    const bootstrapToken = generateApiToken();
    await ensureBootstrap({ db: t.db, ...ADMIN, bootstrapToken });
    const ctx = (await resolveApiToken({ db: t.db, token: bootstrapToken }))!;
    await revokeApiToken({ db: t.db, ctx, input: { id: ctx.actor.type === 'token' ? ctx.actor.tokenId : '' } });
    expect(await resolveApiToken({ db: t.db, token: bootstrapToken })).toBeNull();
    await ensureBootstrap({ db: t.db, ...ADMIN, bootstrapToken });
    expect((await resolveApiToken({ db: t.db, token: bootstrapToken }))?.role).toBe('admin');
    expect((await counts(t)).tokens).toBe(1);
    const restored = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_label'])
      .where('action', '=', 'token.restored')
      .execute();
    expect(restored).toEqual([{ action: 'token.restored', actor_label: 'bootstrap' }]);
  });

  it('must start with pw_ (and be long enough), else CONFIG before anything is written', async () => {
    const t = await emptyDatabase();
    for (const bootstrapToken of ['not-a-pipewright-token-at-all-0000', 'pw_short']) {
      const error = await errorOf(() => ensureBootstrap({ db: t.db, ...ADMIN, bootstrapToken }));
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('CONFIG');
      expect((error as AppError).message).toContain('PIPEWRIGHT_BOOTSTRAP_TOKEN');
    }
    expect(await counts(t)).toEqual({ tenants: 0, users: 0, memberships: 0, tokens: 0 });
  });
});
