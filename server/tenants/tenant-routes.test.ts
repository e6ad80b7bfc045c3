import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tenantRoute from '@/app/api/v1/tenant/route';
import * as runRoute from '@/app/api/v1/runs/[id]/route';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let tenantId: string;
const tokens = {} as Record<'admin' | 'viewer' | 'other', string>;

type THandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
async function call(
  handler: THandler,
  {
    method = 'GET',
    path,
    token,
    body,
    params = {},
  }: {
    method?: string;
    path: string;
    token: string;
    body?: unknown;
    params?: Record<string, string>;
  },
) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const request = new Request(`http://localhost/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const response = await handler(request, { params: Promise.resolve(params) });
  const text = await response.text();
  return {
    status: response.status, // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely in assertions
    json: text ? (JSON.parse(text) as Record<string, any>) : null,
  };
}

beforeAll(async () => {
  t = await createTestDatabase('tenant_routes');
  process.env.DATABASE_URL = t.url;
  const a = await createTenantWithMember({ db: t.db, role: 'admin' });
  const b = await createTenantWithMember({ db: t.db, role: 'admin' });
  tenantId = a.tenantId;
  tokens.admin = (await createApiToken({ db: t.db, ctx: a.ctx, input: { name: 'admin', role: 'admin' } })).token;
  tokens.viewer = (await createApiToken({ db: t.db, ctx: a.ctx, input: { name: 'viewer', role: 'viewer' } })).token;
  tokens.other = (await createApiToken({ db: t.db, ctx: b.ctx, input: { name: 'other', role: 'admin' } })).token;
  await publishWorkflow({
    db: t.db,
    ctx: a.ctx,
    key: 'hold',
    document: { steps: [{ id: 'hold', type: 'event.wait', config: { event: 'never' } }] },
  });
  await publishWorkflow({
    db: t.db,
    ctx: a.ctx,
    key: 'quick',
    document: { steps: [{ id: 'set', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
  });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

describe('GET, PATCH /api/v1/tenant', () => {
  it('reads the settings (defaults null), changes them as an admin, and refuses bad values with 422 naming the field', async () => {
    const read = await call(tenantRoute.GET, { path: '/tenant', token: tokens.viewer });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({
      id: tenantId,
      settings: { retentionDays: null, maxConcurrentRuns: null, runsPerMinute: null, artifactQuotaBytes: null },
    });

    const forbidden = await call(tenantRoute.PATCH, {
      method: 'PATCH',
      path: '/tenant',
      token: tokens.viewer,
      body: { retentionDays: 7 },
    });
    expect(forbidden.status).toBe(403);

    for (const [body, field] of [
      [{ retentionDays: 0 }, 'retentionDays'],
      [{ maxConcurrentRuns: 2.5 }, 'maxConcurrentRuns'],
      [{ runsPerMinute: 'many' }, 'runsPerMinute'],
      [{ retentionDays: 4000 }, 'retentionDays'],
    ] as const) {
      const bad = await call(tenantRoute.PATCH, { method: 'PATCH', path: '/tenant', token: tokens.admin, body });
      expect(bad.status).toBe(422);
      expect(bad.json?.error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
    const unknown = await call(tenantRoute.PATCH, {
      method: 'PATCH',
      path: '/tenant',
      token: tokens.admin,
      body: { retentionDay: 7 },
    });
    expect(unknown.status).toBe(422);
    expect(JSON.stringify(unknown.json)).toContain('retentionDay');
    // Nothing stored by the refused requests.
    expect((await call(tenantRoute.GET, { path: '/tenant', token: tokens.admin })).json?.settings).toEqual({
      retentionDays: null,
      maxConcurrentRuns: null,
      runsPerMinute: null,
      artifactQuotaBytes: null,
    });

    // The artifact quota (SPEC §11): bytes, 0 allowed (no artifacts), negative refused by name.
    const quota = await call(tenantRoute.PATCH, {
      method: 'PATCH',
      path: '/tenant',
      token: tokens.admin,
      body: { artifactQuotaBytes: 5_000_000_000 },
    });
    expect(quota.json?.settings.artifactQuotaBytes).toBe(5_000_000_000);
    const negative = await call(tenantRoute.PATCH, {
      method: 'PATCH',
      path: '/tenant',
      token: tokens.admin,
      body: { artifactQuotaBytes: -1 },
    });
    expect(negative.status).toBe(422);
    expect(JSON.stringify(negative.json)).toContain('artifactQuotaBytes must be at least 0');
    await call(tenantRoute.PATCH, {
      method: 'PATCH',
      path: '/tenant',
      token: tokens.admin,
      body: { artifactQuotaBytes: null },
    });

    const changed = await call(tenantRoute.PATCH, {
      method: 'PATCH',
      path: '/tenant',
      token: tokens.admin,
      body: { retentionDays: 7, maxConcurrentRuns: 20 },
    });
    expect(changed.status).toBe(200);
    expect(changed.json?.settings).toEqual({
      retentionDays: 7,
      maxConcurrentRuns: 20,
      runsPerMinute: null,
      artifactQuotaBytes: null,
    });
    const cleared = await call(tenantRoute.PATCH, {
      method: 'PATCH',
      path: '/tenant',
      token: tokens.admin,
      body: { maxConcurrentRuns: null },
    });
    expect(cleared.json?.settings).toEqual({
      retentionDays: 7,
      maxConcurrentRuns: null,
      runsPerMinute: null,
      artifactQuotaBytes: null,
    });
    // Another tenant's admin sees and changes only their own.
    expect((await call(tenantRoute.GET, { path: '/tenant', token: tokens.other })).json?.settings.retentionDays).toBe(
      null,
    );
  });
});

describe('DELETE /api/v1/runs/{id}', () => {
  it('deletes an ended run (admin); 409 for a run still going; 404 across tenants; 403 for a viewer', async () => {
    const start = async (key: string) => {
      const { runId } = await startRun({ tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
      await driveRun({ db: t.db, runId });
      return runId;
    };
    const done = await start('quick');
    const going = await start('hold');
    const del = (id: string, token: string) =>
      call(runRoute.DELETE, { method: 'DELETE', path: `/runs/${id}`, token, params: { id } });
    expect((await del(done, tokens.viewer)).status).toBe(403);
    expect((await del(done, tokens.other)).status).toBe(404);
    const conflict = await del(going, tokens.admin);
    expect(conflict.status).toBe(409);
    expect(conflict.json?.error.message).toMatch(/WAITING/);
    expect((await del('not-a-uuid', tokens.admin)).status).toBe(422);
    const ok = await del(done, tokens.admin);
    expect(ok).toEqual({ status: 200, json: { runId: done, deleted: 1 } });
    expect(
      (await call(runRoute.GET, { path: `/runs/${done}`, token: tokens.admin, params: { id: done } })).status,
    ).toBe(404);
    expect(
      (await call(runRoute.GET, { path: `/runs/${going}`, token: tokens.admin, params: { id: going } })).status,
    ).toBe(200);
  });
});
