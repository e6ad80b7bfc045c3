import { afterAll, beforeAll, expect, it } from 'vitest';
import * as tenantRoute from '@/app/api/v1/tenant/route';
import { createLogger } from '@/server/logging/logger';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';

let t: TTestDatabase;
const lines: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase('request_log');
  process.env.DATABASE_URL = t.url;
  (globalThis as { pipewrightLogger?: unknown }).pipewrightLogger = createLogger({
    service: 'web',
    env: {},
    write: (line) => lines.push(line),
  });
});
afterAll(async () => {
  delete (globalThis as { pipewrightLogger?: unknown }).pipewrightLogger;
  await t.close();
});

it('every API request writes one line: method, route (not the URL), status, duration, tenant once known; never the token', async () => {
  const { ctx, tenantId } = await createTenantWithMember({ db: t.db, role: 'admin' });
  const { token } = await createApiToken({ db: t.db, ctx, input: { name: 'log', role: 'admin' } });
  const get = (authorization: string) =>
    tenantRoute.GET(new Request('http://localhost/api/v1/tenant?x=1', { headers: { authorization } }), {
      params: Promise.resolve({}),
    });
  const answered = await get(`Bearer ${token}`);
  expect(answered.status).toBe(200);
  expect((await get('Bearer pw_wrong_token_0000000000000000')).status).toBe(401);
  const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((e) => e.msg === 'request');
  expect(entries).toHaveLength(2);
  expect(entries[0]).toMatchObject({ level: 'info', method: 'GET', route: '/api/v1/tenant', status: 200, tenantId });
  expect(typeof entries[0]!.durationMs).toBe('number');
  // The client is told the same duration (Server-Timing), so a script can tell the server's share of a slow call.
  expect(answered.headers.get('server-timing')).toBe(`app;dur=${entries[0]!.durationMs}`);
  expect(entries[1]).toMatchObject({ method: 'GET', route: '/api/v1/tenant', status: 401 });
  expect(entries[1]).not.toHaveProperty('tenantId');
  expect(lines.join('')).not.toContain(token);
  expect(lines.join('')).not.toContain('x=1');
});
