import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as secretsRoute from '@/app/api/v1/secrets/route';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';

// Issue #15, item 10 at the route level: cookie writes are judged against the public origin,
// scripts with a Bearer token need no Origin, and JSON routes take JSON only.

let t: TTestDatabase;
let token: string;
let tenantId: string;
beforeAll(async () => {
  t = await createTestDatabase('request_origin_routes');
  const admin = await createTenantWithMember({ db: t.db, role: 'admin' });
  tenantId = admin.tenantId;
  token = (await createApiToken({ db: t.db, ctx: admin.ctx, input: { name: 'script', role: 'admin' } })).token;
});
afterAll(async () => t.close());

async function post(headers: Record<string, string>, body: unknown) {
  const request = new Request('http://localhost:3000/api/v1/secrets', {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const response = await secretsRoute.POST(request, { params: Promise.resolve({}) });
  const text = await response.text();
  return {
    status: response.status,
    json: text ? (JSON.parse(text) as { error?: { code: string; message: string } }) : null,
  };
}
const storedNames = async () =>
  (await t.db.selectFrom('secrets').select('name').where('tenant_id', '=', tenantId).execute()).map((r) => r.name);

describe('cookie writes and the public origin', () => {
  it('refuses a write whose Origin matches only a forged X-Forwarded-Host, before looking at any session', async () => {
    const response = await post(
      { origin: 'http://evil.example', 'x-forwarded-host': 'evil.example', 'content-type': 'application/json' },
      { name: 'forged', value: 'x-value' },
    );
    expect(response.status).toBe(401);
    expect(response.json?.error).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('http://evil.example'),
    });
  });

  it('refuses a cookie write that names neither Origin nor Referer', async () => {
    const response = await post({ 'content-type': 'application/json' }, { name: 'anonymous', value: 'x-value' });
    expect(response.status).toBe(401);
    expect(response.json?.error?.message).toContain('neither Origin nor Referer');
  });
});

describe('Bearer scripts and JSON bodies', () => {
  it('accepts a Bearer write with no Origin at all', async () => {
    expect(
      (
        await post(
          { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          { name: 'from-script', value: 'x-value' },
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await post(
          { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
          { name: 'with-charset', value: 'x-value' },
        )
      ).status,
    ).toBe(201);
  });

  it.each([
    ['text/plain'],
    ['text/plain;charset=UTF-8'],
    ['application/x-www-form-urlencoded'],
    ['multipart/form-data; boundary=x'],
  ])('answers 415 naming the type for a %s body, and stores nothing', async (type) => {
    const name = `typed-${type.replace(/[^a-z]/g, '')}`;
    const response = await post({ authorization: `Bearer ${token}`, 'content-type': type }, { name, value: 'x-value' });
    expect(response.status).toBe(415);
    expect(response.json?.error).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining('application/json'),
    });
    expect(await storedNames()).not.toContain(name);
  });

  it('answers 415 for a body without any content type', async () => {
    const request = new Request('http://localhost:3000/api/v1/secrets', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: new Blob([JSON.stringify({ name: 'untyped', value: 'x-value' })]),
    });
    const response = await secretsRoute.POST(request, { params: Promise.resolve({}) });
    expect(response.status).toBe(415);
  });
});
