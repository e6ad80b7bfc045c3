import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as healthRoute from '@/app/api/v1/health/route';
import * as openApiRoute from '@/app/api/v1/openapi.json/route';
import * as secretRoute from '@/app/api/v1/secrets/[name]/route';
import * as secretsRoute from '@/app/api/v1/secrets/route';
import { readSecretValue } from '@/server/secrets/read-secret-value';
import { createApiToken } from '@/server/tokens/create-api-token';
import { revokeApiToken } from '@/server/tokens/revoke-api-token';
import type { TRole } from '@/model/roles';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';

let t: TTestDatabase;
let tenantA: Awaited<ReturnType<typeof createTenantWithMember>>;
let tenantB: Awaited<ReturnType<typeof createTenantWithMember>>;
const tokens = {} as Record<'admin' | 'editor' | 'viewer' | 'otherAdmin' | 'revoked' | 'expired', string>;

/** Every response body this file saw, to prove no secret value ever leaves the API. */
const seenBodies: string[] = [];
const VALUES = ['s3cr3t-value-alpha-7781', 'replaced-value-beta-9934', 'tenant-b-value-gamma-4410'];

beforeAll(async () => {
  t = await createTestDatabase('secrets_routes');
  tenantA = await createTenantWithMember({ db: t.db, role: 'admin' });
  tenantB = await createTenantWithMember({ db: t.db, role: 'admin' });
  const make = async (role: TRole, ctx = tenantA.ctx) =>
    createApiToken({ db: t.db, ctx, input: { name: `${role} token`, role } });
  tokens.admin = (await make('admin')).token;
  tokens.editor = (await make('editor')).token;
  tokens.viewer = (await make('viewer')).token;
  tokens.otherAdmin = (await make('admin', tenantB.ctx)).token;
  const revoked = await make('admin');
  await revokeApiToken({ db: t.db, ctx: tenantA.ctx, input: { id: revoked.record.id } });
  tokens.revoked = revoked.token;
  const expired = await createApiToken({
    db: t.db,
    ctx: tenantA.ctx,
    input: { name: 'expired', role: 'admin', expiresAt: new Date(Date.now() + 60_000).toISOString() },
  });
  await t.db
    .updateTable('api_tokens')
    .set({ expires_at: sql`now() - interval '1 second'` })
    .where('id', '=', expired.record.id)
    .execute();
  tokens.expired = expired.token;
});
afterAll(async () => t.close());

type THandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(
  handler: THandler,
  init: {
    method?: string;
    path?: string;
    token?: string;
    headers?: Record<string, string>;
    body?: string;
    params?: Record<string, string>;
  } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  const request = new Request(`http://localhost/api/v1${init.path ?? '/secrets'}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body,
  });
  const response = await handler(request, { params: Promise.resolve(init.params ?? {}) });
  const text = await response.text();
  seenBodies.push(text);
  return {
    status: response.status,
    text,
    json: text ? (JSON.parse(text) as Record<string, never>) : null,
    headers: response.headers,
  };
}

const postSecret = (token: string, body: unknown) =>
  call(secretsRoute.POST, { method: 'POST', token, body: JSON.stringify(body) });
const storedNames = async (tenantId: string) =>
  (await t.db.selectFrom('secrets').select('name').where('tenant_id', '=', tenantId).execute()).map((r) => r.name);

function expectErrorBody(json: unknown, code: string) {
  expect(json).toEqual({
    error: {
      code,
      message: expect.any(String),
      ...((json as { error?: { details?: unknown } }).error?.details === undefined
        ? {}
        : { details: expect.anything() }),
    },
  });
  expect((json as { error: { message: string } }).error.message.length).toBeGreaterThan(0);
}

describe('Bearer authentication on /api/v1/secrets', () => {
  it.each([
    ['an unknown token', { authorization: 'Bearer pw_thisTokenWasNeverIssuedByAnyone000000000000' }],
    ['a token without the pw_ prefix', { authorization: 'Bearer not-a-pipewright-token' }],
    ['a malformed Authorization header', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['a Bearer header with no token', { authorization: 'Bearer ' }],
    ['a Bearer header with two words', { authorization: 'Bearer pw_a pw_b' }],
  ])('answers 401 with the error body for %s', async (_label, headers) => {
    const response = await call(secretsRoute.GET, { headers });
    expect(response.status).toBe(401);
    expectErrorBody(response.json, 'UNAUTHENTICATED');
  });

  it('answers 401 for a revoked token and for an expired token', async () => {
    for (const token of [tokens.revoked, tokens.expired]) {
      const response = await call(secretsRoute.GET, { token });
      expect(response.status).toBe(401);
      expectErrorBody(response.json, 'UNAUTHENTICATED');
    }
  });

  it('answers 401 to a cross-site request without a token, before any session lookup', async () => {
    const get = await call(secretsRoute.GET, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(get.status).toBe(401);
    expectErrorBody(get.json, 'UNAUTHENTICATED');
    const post = await call(secretsRoute.POST, {
      method: 'POST',
      headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      body: JSON.stringify({ name: 'csrf', value: 'x' }),
    });
    expect(post.status).toBe(401);
    expect(await storedNames(tenantA.tenantId)).not.toContain('csrf');
  });

  it("answers 401 (not a server error) to a cookie-less POST whose Origin is 'null' or not a URL", async () => {
    for (const origin of ['null', 'not a url']) {
      const post = await call(secretsRoute.POST, {
        method: 'POST',
        headers: { origin, host: 'localhost' },
        body: JSON.stringify({ name: 'opaque', value: 'x' }),
      });
      expect(post.status, origin).toBe(401);
      expectErrorBody(post.json, 'UNAUTHENTICATED');
    }
    expect(await storedNames(tenantA.tenantId)).not.toContain('opaque');
  });

  it('answers 403 when a viewer token tries to store a secret, and stores nothing', async () => {
    const response = await postSecret(tokens.viewer, { name: 'viewer-attempt', value: 'nope-nope' });
    expect(response.status).toBe(403);
    expectErrorBody(response.json, 'FORBIDDEN');
    expect(await storedNames(tenantA.tenantId)).not.toContain('viewer-attempt');
  });

  it('lets an editor token list secret names but not change them', async () => {
    expect((await call(secretsRoute.GET, { token: tokens.editor })).status).toBe(200);
    expect((await postSecret(tokens.editor, { name: 'editor-attempt', value: 'nope-nope' })).status).toBe(403);
    expect(
      (await call(secretRoute.DELETE, { method: 'DELETE', token: tokens.editor, params: { name: 'anything' } })).status,
    ).toBe(403);
  });
});

describe('request bodies on POST /api/v1/secrets', () => {
  it('answers 422 naming the field for a bad secret name', async () => {
    const response = await postSecret(tokens.admin, { name: 'has spaces/and slash', value: 'xxxx' });
    expect(response.status).toBe(422);
    expectErrorBody(response.json, 'VALIDATION');
    const error = (
      response.json as unknown as { error: { message: string; details: { path: string; message: string }[] } }
    ).error;
    expect(error.details).toEqual([{ path: 'name', message: expect.any(String) }]);
    expect(error.message).toContain('name');
  });

  it('answers 422 naming the field for an empty value', async () => {
    const response = await postSecret(tokens.admin, { name: 'empty', value: '' });
    expect(response.status).toBe(422);
    const error = (response.json as unknown as { error: { details: { path: string }[] } }).error;
    expect(error.details.map((d) => d.path)).toEqual(['value']);
    expect(await storedNames(tenantA.tenantId)).not.toContain('empty');
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await call(secretsRoute.POST, {
      method: 'POST',
      token: tokens.admin,
      body: '{"name": "x", value: }',
    });
    expect(response.status).toBe(400);
    expectErrorBody(response.json, 'BAD_REQUEST');
  });

  it('answers 413 for a body over 1 MiB, with or without a declared length', async () => {
    const big = JSON.stringify({ name: 'big', value: 'x'.repeat(1024 * 1024 + 10) });
    const undeclared = await call(secretsRoute.POST, { method: 'POST', token: tokens.admin, body: big });
    expect(undeclared.status).toBe(413);
    expectErrorBody(undeclared.json, 'PAYLOAD_TOO_LARGE');
    const declared = await call(secretsRoute.POST, {
      method: 'POST',
      token: tokens.admin,
      body: big,
      headers: { 'content-length': String(big.length) },
    });
    expect(declared.status).toBe(413);
    expect(await storedNames(tenantA.tenantId)).not.toContain('big');
  });
});

describe('reading request bodies', () => {
  it('stops reading a streamed body once it passes 1 MiB instead of buffering all of it', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    let pulled = 0;
    // An endless upload: a handler that buffers before checking the size would never answer.
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const init = {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      body: endless,
      duplex: 'half',
    };
    const response = await secretsRoute.POST(new Request('http://localhost/api/v1/secrets', init as RequestInit), {
      params: Promise.resolve({}),
    });
    expect(response.status).toBe(413);
    expectErrorBody(await response.json(), 'PAYLOAD_TOO_LARGE');
    expect(pulled).toBeLessThanOrEqual(1024 * 1024 + 4 * chunk.byteLength);
  });
});

describe('secrets through the API', () => {
  it('creates a secret (201) and lists names and metadata only', async () => {
    const created = await postSecret(tokens.admin, {
      name: 'ERP_TOKEN',
      value: VALUES[0],
      description: 'ERP API token',
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      name: 'ERP_TOKEN',
      description: 'ERP API token',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    const list = await call(secretsRoute.GET, { token: tokens.admin });
    expect(list.status).toBe(200);
    expect(list.json).toEqual({
      items: [
        {
          name: 'ERP_TOKEN',
          description: 'ERP API token',
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    expect(await readSecretValue({ db: t.db, tenantId: tenantA.tenantId, name: 'ERP_TOKEN' })).toBe(VALUES[0]);
  });

  it('records the change in the audit log as made by the token', async () => {
    const row = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenantA.tenantId)
      .where('action', '=', 'secret.created')
      .where('target_id', '=', 'ERP_TOKEN')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ actor_type: 'token', actor_label: 'token admin token', target_type: 'secret' });
  });

  it('replaces a value with a second POST and keeps listing one entry', async () => {
    const replaced = await postSecret(tokens.admin, { name: 'ERP_TOKEN', value: VALUES[1] });
    expect(replaced.status).toBe(201);
    expect((replaced.json as unknown as { description: string }).description).toBe('ERP API token');
    const list = await call(secretsRoute.GET, { token: tokens.admin });
    expect((list.json as unknown as { items: unknown[] }).items).toHaveLength(1);
    expect(await readSecretValue({ db: t.db, tenantId: tenantA.tenantId, name: 'ERP_TOKEN' })).toBe(VALUES[1]);
  });

  it("does not show or delete another tenant's secret (404)", async () => {
    expect((await postSecret(tokens.otherAdmin, { name: 'B_ONLY', value: VALUES[2] })).status).toBe(201);
    const listA = await call(secretsRoute.GET, { token: tokens.admin });
    expect(listA.text).not.toContain('B_ONLY');
    const del = await call(secretRoute.DELETE, {
      method: 'DELETE',
      token: tokens.admin,
      path: '/secrets/B_ONLY',
      params: { name: 'B_ONLY' },
    });
    expect(del.status).toBe(404);
    expectErrorBody(del.json, 'NOT_FOUND');
    expect(await storedNames(tenantB.tenantId)).toEqual(['B_ONLY']);
  });

  it('deletes with 204 and an empty body, then answers 404', async () => {
    const first = await call(secretRoute.DELETE, {
      method: 'DELETE',
      token: tokens.admin,
      path: '/secrets/ERP_TOKEN',
      params: { name: 'ERP_TOKEN' },
    });
    expect(first.status).toBe(204);
    expect(first.text).toBe('');
    expect(await storedNames(tenantA.tenantId)).toEqual([]);
    const again = await call(secretRoute.DELETE, {
      method: 'DELETE',
      token: tokens.admin,
      path: '/secrets/ERP_TOKEN',
      params: { name: 'ERP_TOKEN' },
    });
    expect(again.status).toBe(404);
    expectErrorBody(again.json, 'NOT_FOUND');
  });

  it('answers 422 for a DELETE whose name could never be a secret', async () => {
    const response = await call(secretRoute.DELETE, { method: 'DELETE', token: tokens.admin, params: { name: 'a b' } });
    expect(response.status).toBe(422);
    expect((response.json as unknown as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe(
      'name',
    );
  });

  it('never puts a secret value in any response body', () => {
    expect(seenBodies.length).toBeGreaterThan(10);
    for (const body of seenBodies) for (const value of VALUES) expect(body).not.toContain(value);
  });
});

describe('unauthenticated system routes', () => {
  it('GET /health answers without a token with {ok, db, queue}', async () => {
    const response = await call(healthRoute.GET, { path: '/health' });
    expect(response.status).toBe(200);
    // No pg-boss schema and no worker heartbeat in this database: the queue is down.
    expect(response.json).toEqual({ ok: false, db: true, queue: false });
  });

  it('GET /openapi.json answers without a token with the OpenAPI 3.1 document', async () => {
    const response = await call(openApiRoute.GET, {
      path: '/openapi.json',
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(response.status).toBe(200);
    expect((response.json as unknown as { openapi: string }).openapi).toBe('3.1.0');
  });
});
