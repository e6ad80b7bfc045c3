import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/server/db/database';
import { changeMemberRole } from '@/server/members/change-member-role';
import { createApiToken } from '@/server/tokens/create-api-token';
import { resolveApiToken } from '@/server/tokens/resolve-api-token';
import { revokeApiToken } from '@/server/tokens/revoke-api-token';
import { tokenCache } from '@/server/tokens/token-cache';
import { hashApiToken } from '@/server/tokens/token-format';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';

/** Verified tokens are cached for a few seconds; every way a token loses its power still counts at once. */

let t: TTestDatabase;
let counting: Db;
let statements = 0;
let admin: Awaited<ReturnType<typeof createTenantWithMember>>;

beforeAll(async () => {
  t = await createTestDatabase('token_cache');
  process.env.DATABASE_URL = t.url; // the cache's listener follows the process's database
  counting = new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: t.url, max: 2 }) }),
    log: (event) => {
      if (event.level === 'query') statements++;
    },
  }) as Db;
  admin = await createTenantWithMember({ db: t.db, role: 'admin' });
  await resolveApiToken({ db: counting, token: 'pw_nothing_yet' }); // the first lookup starts the listener
  await resolveApiToken({
    db: counting,
    token: (await createApiToken({ db: t.db, ctx: admin.ctx, input: { name: 'warm', role: 'viewer' } })).token,
  });
  for (let i = 0; i < 200 && !tokenCache().listening; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(tokenCache().listening).toBe(true);
});
afterAll(async () => {
  await counting.destroy();
  await t.close();
});

/** A token already verified once, so the next lookup may come from the cache. */
async function cachedToken(role: 'admin' | 'viewer' = 'admin', ctx = admin.ctx, expiresAt?: string) {
  const { token, record } = await createApiToken({
    db: t.db,
    ctx,
    input: { name: `t${Date.now()}`, role, ...(expiresAt ? { expiresAt } : {}) },
  });
  expect(await resolveApiToken({ db: counting, token })).not.toBeNull();
  return { token, id: record.id };
}

describe('the token cache', () => {
  it('answers a token verified a moment ago without asking the database', async () => {
    const { token } = await cachedToken();
    statements = 0;
    expect(await resolveApiToken({ db: counting, token })).toMatchObject({ tenantId: admin.tenantId, role: 'admin' });
    expect(statements).toBe(0);
  });

  it('refuses a token revoked in this process at the very next request', async () => {
    const { token, id } = await cachedToken();
    await revokeApiToken({ db: t.db, ctx: admin.ctx, input: { id } });
    expect(await resolveApiToken({ db: counting, token })).toBeNull();
  });

  it('refuses a token revoked by another process as soon as the database says so (NOTIFY from a trigger)', async () => {
    const { token, id } = await cachedToken();
    await t.db
      .updateTable('api_tokens')
      .set({ revoked_at: sql`now()` })
      .where('id', '=', id)
      .execute();
    await expect.poll(() => resolveApiToken({ db: counting, token }), { timeout: 2000, interval: 5 }).toBeNull();
  });

  it("caps a token at once when its owner is demoted, and ends it when the owner leaves (another process's DELETE)", async () => {
    const member = await addMemberTo({ db: t.db, ctx: admin.ctx, role: 'admin' });
    const { token } = await cachedToken('admin', member.ctx);
    await changeMemberRole({ db: t.db, ctx: admin.ctx, input: { userId: member.userId, role: 'viewer' } });
    expect((await resolveApiToken({ db: counting, token }))?.roleCap).toBe('viewer');
    await t.db
      .deleteFrom('memberships')
      .where('tenant_id', '=', admin.tenantId)
      .where('user_id', '=', member.userId)
      .execute();
    await expect.poll(() => resolveApiToken({ db: counting, token }), { timeout: 2000, interval: 5 }).toBeNull();
  });

  it('does not serve a token past its expiry', async () => {
    const { token } = await cachedToken('viewer', admin.ctx, new Date(Date.now() + 1500).toISOString());
    expect(await resolveApiToken({ db: counting, token })).not.toBeNull();
    await expect.poll(() => resolveApiToken({ db: counting, token }), { timeout: 5000, interval: 100 }).toBeNull();
  });

  it('does not store what a lookup read before a change committed', () => {
    const cache = tokenCache();
    const hash = hashApiToken('pw_read_before_the_change_0000000');
    const mark = cache.mark();
    cache.forget(); // the change's notice arrives while the lookup is in flight
    cache.set(
      hash,
      {
        tenantId: admin.tenantId,
        tenantSlug: 'x',
        tenantName: 'x',
        role: 'admin',
        roleCap: 'admin',
        actor: { type: 'token', tokenId: 'x', name: 'x', userId: null },
      },
      null,
      mark,
    );
    expect(cache.get(hash)).toBeNull();
  });
});
