import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tenantsRoute from '@/app/api/v1/tenants/route';
import * as membersRoute from '@/app/api/v1/members/route';
import * as memberRoute from '@/app/api/v1/members/[email]/route';
import * as tokensRoute from '@/app/api/v1/tokens/route';
import * as tokenRoute from '@/app/api/v1/tokens/[id]/route';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { callRoute, errorCode } from '@/test/route-call';

let t: TTestDatabase;
let home: Awaited<ReturnType<typeof createTenantWithMember>>;
let elsewhere: Awaited<ReturnType<typeof createTenantWithMember>>;
const tokens = {} as Record<'admin' | 'editor' | 'viewer' | 'elsewhere', string>;

beforeAll(async () => {
  t = await createTestDatabase('admin_routes');
  home = await createTenantWithMember({ db: t.db, role: 'admin', slug: 'home' });
  elsewhere = await createTenantWithMember({ db: t.db, role: 'admin', slug: 'elsewhere' });
  for (const role of ['admin', 'editor', 'viewer'] as const) {
    tokens[role] = (await createApiToken({ db: t.db, ctx: home.ctx, input: { name: role, role } })).token;
  }
  tokens.elsewhere = (
    await createApiToken({ db: t.db, ctx: elsewhere.ctx, input: { name: 'other', role: 'admin' } })
  ).token;
});
afterAll(async () => t.close());

const auditActions = async (tenantId: string) =>
  (await t.db.selectFrom('audit_log').select('action').where('tenant_id', '=', tenantId).orderBy('id').execute()).map(
    (r) => r.action,
  );

describe('tenants', () => {
  it('creates a tenant with the token owner as admin and a first token that works there, once', async () => {
    const body = { name: 'Acme CI', slug: 'Acme-CI', token: { name: 'ci', role: 'editor' } };
    const created = await callRoute(tenantsRoute.POST, { method: 'POST', path: '/tenants', token: tokens.admin, body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      slug: 'acme-ci',
      name: 'Acme CI',
      token: { name: 'ci', role: 'editor', status: 'active' },
    });
    const value = (created.json!.token as { token: string }).token;
    expect(value).toMatch(/^pw_/);
    const list = await callRoute(tenantsRoute.GET, { path: '/tenants', token: value });
    expect(list.json).toMatchObject({ nextCursor: null });
    const items = list.json!.items as { slug: string; role: string; current: boolean }[];
    expect(items.map((i) => [i.slug, i.role, i.current]).sort()).toEqual([
      ['acme-ci', 'admin', true],
      ['home', 'admin', false],
    ]);
    const members = await callRoute(membersRoute.GET, { path: '/members', token: value });
    expect((members.json!.items as { email: string; role: string }[]).map((m) => [m.email, m.role])).toEqual([
      [home.email, 'admin'],
    ]);
    const tenantId = created.json!.id as string;
    expect(await auditActions(tenantId)).toEqual(['tenant.created', 'token.created']);
    const again = await callRoute(tenantsRoute.POST, {
      method: 'POST',
      path: '/tenants',
      token: tokens.admin,
      body: { name: 'x', slug: 'acme-ci' },
    });
    expect([again.status, errorCode(again.json)]).toEqual([409, 'CONFLICT']);
  });

  it('refuses a bad slug (422 naming it), a non-admin (403) and no token (401); nothing is created', async () => {
    const before = await t.db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const bad = await callRoute(tenantsRoute.POST, {
      method: 'POST',
      path: '/tenants',
      token: tokens.admin,
      body: { name: 'x', slug: '-bad slug' },
    });
    expect([bad.status, errorCode(bad.json)]).toEqual([422, 'VALIDATION']);
    expect(bad.json!.error).toMatchObject({ details: [{ path: 'slug' }] });
    const editor = await callRoute(tenantsRoute.POST, {
      method: 'POST',
      path: '/tenants',
      token: tokens.editor,
      body: { name: 'x', slug: 'by-editor' },
    });
    expect(editor.status).toBe(403);
    expect(
      (await callRoute(tenantsRoute.POST, { method: 'POST', path: '/tenants', body: { name: 'x', slug: 'anon' } }))
        .status,
    ).toBe(401);
    const after = await t.db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('refuses a token sent with Pipewright-Tenant naming another tenant', async () => {
    const named = await callRoute(tenantsRoute.GET, {
      path: '/tenants',
      token: tokens.viewer,
      headers: { 'pipewright-tenant': 'elsewhere' },
    });
    expect([named.status, errorCode(named.json)]).toEqual([403, 'FORBIDDEN']);
    expect(
      (
        await callRoute(tenantsRoute.GET, {
          path: '/tenants',
          token: tokens.viewer,
          headers: { 'pipewright-tenant': 'HOME' },
        })
      ).status,
    ).toBe(200);
  });
});

describe('members', () => {
  it('adds, changes and removes by email with audit entries, keeping the last admin', async () => {
    const added = await callRoute(membersRoute.POST, {
      method: 'POST',
      path: '/members',
      token: tokens.admin,
      body: { email: 'New.Person@Example.com', role: 'viewer' },
    });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({
      email: 'new.person@example.com',
      role: 'viewer',
      initialPassword: expect.any(String),
    });
    const dup = await callRoute(membersRoute.POST, {
      method: 'POST',
      path: '/members',
      token: tokens.admin,
      body: { email: 'new.person@example.com', role: 'viewer' },
    });
    expect([dup.status, errorCode(dup.json)]).toEqual([409, 'CONFLICT']);
    const params = { email: 'new.person%40example.com' };
    const changed = await callRoute(memberRoute.PATCH, {
      method: 'PATCH',
      path: '/members/x',
      token: tokens.admin,
      params,
      body: { role: 'operator' },
    });
    expect(changed).toMatchObject({ status: 200, json: { email: 'new.person@example.com', role: 'operator' } });
    const badRole = await callRoute(memberRoute.PATCH, {
      method: 'PATCH',
      path: '/members/x',
      token: tokens.admin,
      params,
      body: { role: 'owner' },
    });
    expect([badRole.status, errorCode(badRole.json)]).toEqual([422, 'VALIDATION']);
    const lastAdmin = await callRoute(memberRoute.DELETE, {
      method: 'DELETE',
      path: '/members/x',
      token: tokens.admin,
      params: { email: home.email },
    });
    expect([lastAdmin.status, errorCode(lastAdmin.json)]).toEqual([409, 'CONFLICT']);
    const demote = await callRoute(memberRoute.PATCH, {
      method: 'PATCH',
      path: '/members/x',
      token: tokens.admin,
      params: { email: home.email },
      body: { role: 'editor' },
    });
    expect([demote.status, errorCode(demote.json)]).toEqual([409, 'CONFLICT']);
    const removed = await callRoute(memberRoute.DELETE, {
      method: 'DELETE',
      path: '/members/x',
      token: tokens.admin,
      params,
    });
    expect(removed.status).toBe(204);
    const gone = await callRoute(memberRoute.DELETE, {
      method: 'DELETE',
      path: '/members/x',
      token: tokens.admin,
      params,
    });
    expect([gone.status, errorCode(gone.json)]).toEqual([404, 'NOT_FOUND']);
    expect((await auditActions(home.tenantId)).filter((a) => a.startsWith('member.'))).toEqual([
      'member.added',
      'member.role_changed',
      'member.removed',
    ]);
  });

  it("lets a viewer list members but not change them, and answers 404 for another tenant's member", async () => {
    const list = await callRoute(membersRoute.GET, { path: '/members', token: tokens.viewer });
    expect((list.json!.items as { email: string }[]).map((m) => m.email)).toContain(home.email);
    const add = await callRoute(membersRoute.POST, {
      method: 'POST',
      path: '/members',
      token: tokens.viewer,
      body: { email: 'v@example.com', role: 'admin' },
    });
    expect(add.status).toBe(403);
    const foreign = await callRoute(memberRoute.PATCH, {
      method: 'PATCH',
      path: '/members/x',
      token: tokens.admin,
      params: { email: elsewhere.email },
      body: { role: 'viewer' },
    });
    expect(foreign.status).toBe(404);
  });
});

describe('tokens', () => {
  it('creates (value once), lists without values, revokes (then 401), and 404s across tenants', async () => {
    const created = await callRoute(tokensRoute.POST, {
      method: 'POST',
      path: '/tokens',
      token: tokens.admin,
      body: { name: 'deploy', role: 'operator' },
    });
    expect(created.status).toBe(201);
    const value = created.json!.token as string;
    expect(created.json).toMatchObject({
      name: 'deploy',
      role: 'operator',
      status: 'active',
      prefix: value.slice(0, 9),
    });
    const list = await callRoute(tokensRoute.GET, { path: '/tokens', token: tokens.admin });
    expect(JSON.stringify(list.json)).not.toContain(value);
    expect((list.json!.items as { name: string }[]).map((i) => i.name)).toContain('deploy');
    const id = created.json!.id as string;
    const foreign = await callRoute(tokenRoute.DELETE, {
      method: 'DELETE',
      path: '/tokens/x',
      token: tokens.elsewhere,
      params: { id },
    });
    expect(foreign.status).toBe(404);
    expect((await callRoute(tokensRoute.GET, { path: '/tokens', token: value })).status).toBe(403); // an operator
    expect(
      (await callRoute(tokenRoute.DELETE, { method: 'DELETE', path: '/tokens/x', token: tokens.admin, params: { id } }))
        .status,
    ).toBe(204);
    expect((await callRoute(membersRoute.GET, { path: '/members', token: value })).status).toBe(401);
    const notUuid = await callRoute(tokenRoute.DELETE, {
      method: 'DELETE',
      path: '/tokens/x',
      token: tokens.admin,
      params: { id: 'abc' },
    });
    expect(notUuid.status).toBe(422);
    const past = await callRoute(tokensRoute.POST, {
      method: 'POST',
      path: '/tokens',
      token: tokens.admin,
      body: { name: 'x', role: 'viewer', expiresAt: '2001-01-01T00:00:00Z' },
    });
    expect(past.json!.error).toMatchObject({ code: 'VALIDATION', details: [{ path: 'expiresAt' }] });
  });

  it("stops an admin token whose owner was demoted from managing tokens (capped by the owner's role)", async () => {
    const second = await addMemberTo({ db: t.db, ctx: home.ctx, role: 'admin' });
    const theirs = (await createApiToken({ db: t.db, ctx: second.ctx, input: { name: 'theirs', role: 'admin' } }))
      .token;
    expect((await callRoute(tokensRoute.GET, { path: '/tokens', token: theirs })).status).toBe(200);
    const demote = await callRoute(memberRoute.PATCH, {
      method: 'PATCH',
      path: '/members/x',
      token: tokens.admin,
      params: { email: second.email },
      body: { role: 'editor' },
    });
    expect(demote.status).toBe(200);
    const capped = await callRoute(tokensRoute.POST, {
      method: 'POST',
      path: '/tokens',
      token: theirs,
      body: { name: 'escalate', role: 'admin' },
    });
    expect([capped.status, errorCode(capped.json)]).toEqual([403, 'FORBIDDEN']);
  });
});

describe('the OpenAPI document', () => {
  it('lists the admin routes and says how a request names its tenant', async () => {
    const { buildOpenApi } = await import('@/server/api/build-openapi');
    const doc = buildOpenApi() as { info: { description: string }; paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/tenants', '/members', '/members/{email}', '/tokens', '/tokens/{id}']),
    );
    expect(Object.keys(doc.paths['/members/{email}']!).sort()).toEqual(['delete', 'patch']);
    expect(doc.info.description).toContain('Pipewright-Tenant');
  });
});
