import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@/model/errors';
import { createApiToken, ZCreateApiToken } from '@/server/tokens/create-api-token';
import { listApiTokens } from '@/server/tokens/list-api-tokens';
import { resolveApiToken } from '@/server/tokens/resolve-api-token';
import { revokeApiToken } from '@/server/tokens/revoke-api-token';
import { auditRowsWrittenBy, errorOf } from '@/test/audit';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { changeMemberRole } from '@/server/members/change-member-role';

let t: TTestDatabase;
let admin: Awaited<ReturnType<typeof createTenantWithMember>>;
let other: Awaited<ReturnType<typeof createTenantWithMember>>;

beforeAll(async () => {
  t = await createTestDatabase('tokens');
  admin = await createTenantWithMember({ db: t.db, role: 'admin' });
  other = await createTenantWithMember({ db: t.db, role: 'admin' });
});
afterAll(async () => t.close());

async function newToken(name: string, role: 'admin' | 'editor' | 'operator' | 'viewer' = 'editor', ctx = admin.ctx) {
  return createApiToken({ db: t.db, ctx, input: { name, role } });
}

describe('creating an API token', () => {
  it('returns the clear value once and stores only its sha256 hash and a display prefix', async () => {
    const { token, record } = await newToken('ci');
    expect(token).toMatch(/^pw_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({
      name: 'ci',
      role: 'editor',
      prefix: token.slice(0, 9),
      status: 'active',
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(JSON.stringify(record)).not.toContain(token);

    const row = await t.db.selectFrom('api_tokens').selectAll().where('id', '=', record.id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(row.token_prefix).toBe(token.slice(0, 9));
    // The clear value (or its random part) is in no column of the row, whatever its type.
    const secretPart = token.slice(3);
    for (const [column, value] of Object.entries(row)) {
      const text = value instanceof Date ? value.toISOString() : String(value);
      expect(text, column).not.toContain(secretPart);
    }
    const asText = await sql<{
      text: string;
    }>`SELECT row_to_json(api_tokens)::text AS text FROM api_tokens WHERE id = ${record.id}`.execute(t.db);
    expect(asText.rows[0]?.text).not.toContain(secretPart);
  });

  it('gives every token a different value', async () => {
    const values = await Promise.all([newToken('a'), newToken('b'), newToken('c')]);
    expect(new Set(values.map((v) => v.token)).size).toBe(3);
  });

  it('refuses an expiry in the past or a role that does not exist', () => {
    expect(
      ZCreateApiToken.safeParse({ name: 'x', role: 'editor', expiresAt: new Date(Date.now() - 1000).toISOString() })
        .success,
    ).toBe(false);
    expect(ZCreateApiToken.safeParse({ name: 'x', role: 'owner' }).success).toBe(false);
    expect(ZCreateApiToken.safeParse({ name: ' ', role: 'viewer' }).success).toBe(false);
  });

  it('writes one audit entry naming who created it, and never the value', async () => {
    const { result, rows } = await auditRowsWrittenBy(t.db, admin.tenantId, () => newToken('audited', 'viewer'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_type: 'user',
      actor_label: admin.email,
      action: 'token.created',
      target_type: 'api_token',
      target_id: result.record.id,
    });
    expect(rows[0]!.data).toMatchObject({ name: 'audited', role: 'viewer' });
    expect(JSON.stringify(rows[0])).not.toContain(result.token.slice(3));
  });
});

describe('resolving a Bearer token (resolveApiToken)', () => {
  it("gives the token's tenant and role, capped by its owner's role, acting as the token", async () => {
    const { token, record } = await newToken('resolver', 'operator');
    const ctx = await resolveApiToken({ db: t.db, token });
    expect(ctx).toEqual({
      tenantId: admin.tenantId,
      tenantSlug: admin.ctx.tenantSlug,
      tenantName: admin.ctx.tenantName,
      role: 'operator',
      roleCap: 'admin',
      actor: { type: 'token', tokenId: record.id, name: 'resolver', userId: admin.userId },
    });
  });

  it('records when the token was last used', async () => {
    const { token, record } = await newToken('used');
    const before = await t.db
      .selectFrom('api_tokens')
      .select('last_used_at')
      .where('id', '=', record.id)
      .executeTakeFirstOrThrow();
    expect(before.last_used_at).toBeNull();
    await resolveApiToken({ db: t.db, token });
    const after = await t.db
      .selectFrom('api_tokens')
      .select('last_used_at')
      .where('id', '=', record.id)
      .executeTakeFirstOrThrow();
    expect(after.last_used_at).toBeInstanceOf(Date);
    const listed = (await listApiTokens({ db: t.db, ctx: admin.ctx })).find((r) => r.id === record.id);
    expect(listed?.lastUsedAt).toBe(after.last_used_at!.toISOString());
  });

  it('answers null for a revoked token', async () => {
    const { token, record } = await newToken('to-revoke');
    expect(await resolveApiToken({ db: t.db, token })).not.toBeNull();
    await revokeApiToken({ db: t.db, ctx: admin.ctx, input: { id: record.id } });
    expect(await resolveApiToken({ db: t.db, token })).toBeNull();
  });

  it('answers null once the expiry has passed, and works until then', async () => {
    const { token, record } = await createApiToken({
      db: t.db,
      ctx: admin.ctx,
      input: { name: 'short-lived', role: 'viewer', expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(await resolveApiToken({ db: t.db, token })).not.toBeNull();
    await t.db
      .updateTable('api_tokens')
      .set({ expires_at: sql`now() - interval '1 second'` })
      .where('id', '=', record.id)
      .execute();
    expect(await resolveApiToken({ db: t.db, token })).toBeNull();
  });

  it('answers null for unknown values, including ones without the pw_ prefix', async () => {
    const { token } = await newToken('real');
    expect(
      await resolveApiToken({ db: t.db, token: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` }),
    ).toBeNull();
    expect(await resolveApiToken({ db: t.db, token: 'pw_unknown' })).toBeNull();
    expect(await resolveApiToken({ db: t.db, token: token.slice(3) })).toBeNull();
    expect(await resolveApiToken({ db: t.db, token: '' })).toBeNull();
  });
});

describe('listing API tokens', () => {
  it("shows the tenant's own tokens as active, expired or revoked, without values", async () => {
    const active = await newToken('list-active');
    const expired = await createApiToken({
      db: t.db,
      ctx: admin.ctx,
      input: { name: 'list-expired', role: 'viewer', expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
    });
    await t.db
      .updateTable('api_tokens')
      .set({ expires_at: sql`now() - interval '1 minute'` })
      .where('id', '=', expired.record.id)
      .execute();
    const revoked = await newToken('list-revoked');
    await revokeApiToken({ db: t.db, ctx: admin.ctx, input: { id: revoked.record.id } });
    const foreign = await newToken('foreign', 'viewer', other.ctx);

    const list = await listApiTokens({ db: t.db, ctx: admin.ctx });
    const status = Object.fromEntries(list.map((r) => [r.name, r.status]));
    expect(status).toMatchObject({ 'list-active': 'active', 'list-expired': 'expired', 'list-revoked': 'revoked' });
    expect(list.map((r) => r.id)).not.toContain(foreign.record.id);
    expect(list.find((r) => r.id === active.record.id)?.createdBy).toBe(admin.email);
    const text = JSON.stringify(list);
    for (const { token } of [active, expired, revoked]) expect(text).not.toContain(token.slice(3));
  });
});

describe('revoking an API token', () => {
  it("answers NOT_FOUND for another tenant's token and leaves it working", async () => {
    const foreign = await newToken('not-yours', 'admin', other.ctx);
    const error = await errorOf(() => revokeApiToken({ db: t.db, ctx: admin.ctx, input: { id: foreign.record.id } }));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('NOT_FOUND');
    expect((await resolveApiToken({ db: t.db, token: foreign.token }))?.tenantId).toBe(other.tenantId);
    const audited = await t.db
      .selectFrom('audit_log')
      .select('id')
      .where('target_id', '=', foreign.record.id)
      .where('action', '=', 'token.revoked')
      .execute();
    expect(audited).toHaveLength(0);
  });

  it('writes one audit entry naming who revoked it', async () => {
    const { record } = await newToken('audited-revoke');
    const { rows } = await auditRowsWrittenBy(t.db, admin.tenantId, () =>
      revokeApiToken({ db: t.db, ctx: admin.ctx, input: { id: record.id } }),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_label: admin.email,
      action: 'token.revoked',
      target_type: 'api_token',
      target_id: record.id,
      data: { name: 'audited-revoke' },
    });
  });

  it('keeps the first revocation time when revoked twice', async () => {
    const { record } = await newToken('twice');
    await revokeApiToken({ db: t.db, ctx: admin.ctx, input: { id: record.id } });
    const first = await t.db
      .selectFrom('api_tokens')
      .select('revoked_at')
      .where('id', '=', record.id)
      .executeTakeFirstOrThrow();
    await revokeApiToken({ db: t.db, ctx: admin.ctx, input: { id: record.id } });
    const second = await t.db
      .selectFrom('api_tokens')
      .select('revoked_at')
      .where('id', '=', record.id)
      .executeTakeFirstOrThrow();
    expect(second.revoked_at?.getTime()).toBe(first.revoked_at?.getTime());
  });
});

describe('a token never grants more than its owner has now', () => {
  it('is capped when its owner is demoted, and dies when its owner leaves the tenant', async () => {
    const { db } = t;
    const owner = await createTenantWithMember({ db, role: 'admin' });
    const other = await addMemberTo({ db, ctx: owner.ctx, role: 'admin' });
    const { token } = await createApiToken({ db, ctx: other.ctx, input: { name: 'automation', role: 'admin' } });

    const before = await resolveApiToken({ db, token });
    expect(() => assertAllowed(before!, 'secret.manage')).not.toThrow();

    await changeMemberRole({ db, ctx: owner.ctx, input: { userId: other.userId, role: 'viewer' } });
    const demoted = await resolveApiToken({ db, token });
    expect(demoted?.roleCap).toBe('viewer');
    expect(() => assertAllowed(demoted!, 'workflow.read')).not.toThrow();
    expect(() => assertAllowed(demoted!, 'secret.manage')).toThrow(/now viewer/);

    await db
      .deleteFrom('memberships')
      .where('tenant_id', '=', owner.tenantId)
      .where('user_id', '=', other.userId)
      .execute();
    expect(await resolveApiToken({ db, token })).toBeNull();
  });
});
