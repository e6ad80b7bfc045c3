import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as workflowsRoute from '@/app/api/v1/workflows/route';
import * as importRoute from '@/app/api/v1/workflows/import/route';
import * as workflowRoute from '@/app/api/v1/workflows/[key]/route';
import * as versionsRoute from '@/app/api/v1/workflows/[key]/versions/route';
import * as versionRoute from '@/app/api/v1/workflows/[key]/versions/[n]/route';
import * as publishRoute from '@/app/api/v1/workflows/[key]/versions/[n]/publish/route';
import * as diffRoute from '@/app/api/v1/workflows/[key]/versions/[n]/diff/route';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { callRoute as call } from '@/test/route-call';

let t: TTestDatabase;
const tokens = {} as Record<'editor' | 'viewer' | 'otherEditor', string>;

beforeAll(async () => {
  t = await createTestDatabase('workflow_routes');
  const a = await createTenantWithMember({ db: t.db, role: 'admin' });
  const b = await createTenantWithMember({ db: t.db, role: 'admin' });
  tokens.editor = (await createApiToken({ db: t.db, ctx: a.ctx, input: { name: 'editor', role: 'editor' } })).token;
  tokens.viewer = (await createApiToken({ db: t.db, ctx: a.ctx, input: { name: 'viewer', role: 'viewer' } })).token;
  tokens.otherEditor = (await createApiToken({ db: t.db, ctx: b.ctx, input: { name: 'other', role: 'editor' } })).token;
});
afterAll(async () => t.close());

const doc = (key: string, steps: unknown[] = []) => ({ key, name: `Workflow ${key}`, steps });
const echo = (id: string) => ({ id, type: 'action.call', config: { action: 'core.echo', version: 1, input: {} } });
const errorCode = (json: Record<string, unknown> | null) => (json?.error as { code?: string } | undefined)?.code;

describe('POST and GET /workflows', () => {
  it('creates (201), refuses a duplicate (409), a bad body (422), a viewer (403) and no token (401)', async () => {
    const created = await call(workflowsRoute.POST, {
      method: 'POST',
      path: '/workflows',
      token: tokens.editor,
      body: { key: 'orders', name: 'Orders', tags: ['shop'] },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      key: 'orders',
      name: 'Orders',
      tags: ['shop'],
      status: 'active',
      latestVersion: null,
      draftVersion: null,
      stats: { runs: 0 },
    });
    const duplicate = await call(workflowsRoute.POST, {
      method: 'POST',
      path: '/workflows',
      token: tokens.editor,
      body: { key: 'orders', name: 'Again' },
    });
    expect([duplicate.status, errorCode(duplicate.json)]).toEqual([409, 'CONFLICT']);
    const bad = await call(workflowsRoute.POST, {
      method: 'POST',
      path: '/workflows',
      token: tokens.editor,
      body: { key: 'Not A Key' },
    });
    expect([bad.status, errorCode(bad.json)]).toEqual([422, 'VALIDATION']);
    const viewer = await call(workflowsRoute.POST, {
      method: 'POST',
      path: '/workflows',
      token: tokens.viewer,
      body: { key: 'viewer-made', name: 'x' },
    });
    expect([viewer.status, errorCode(viewer.json)]).toEqual([403, 'FORBIDDEN']);
    expect(
      (await call(workflowsRoute.POST, { method: 'POST', path: '/workflows', body: { key: 'anon', name: 'x' } }))
        .status,
    ).toBe(401);
  });

  it('lists with filters and paging for a viewer (200) and refuses no token (401)', async () => {
    await call(workflowsRoute.POST, {
      method: 'POST',
      path: '/workflows',
      token: tokens.editor,
      body: { key: 'payroll', name: 'Payroll' },
    });
    const all = await call(workflowsRoute.GET, { path: '/workflows?limit=1', token: tokens.viewer });
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({ items: [{ key: 'orders' }], nextCursor: expect.any(String) });
    const next = await call(workflowsRoute.GET, {
      path: `/workflows?limit=1&cursor=${all.json!.nextCursor as string}`,
      token: tokens.viewer,
    });
    expect(next.json).toMatchObject({ items: [{ key: 'payroll' }], nextCursor: null });
    const filtered = await call(workflowsRoute.GET, {
      path: '/workflows?q=ORD&tag=shop&status=active',
      token: tokens.viewer,
    });
    expect((filtered.json!.items as { key: string }[]).map((w) => w.key)).toEqual(['orders']);
    const other = await call(workflowsRoute.GET, { path: '/workflows', token: tokens.otherEditor });
    expect(other.json).toEqual({ items: [], nextCursor: null });
    const badStatus = await call(workflowsRoute.GET, { path: '/workflows?status=deleted', token: tokens.viewer });
    expect(badStatus.status).toBe(422);
    expect((await call(workflowsRoute.GET, { path: '/workflows' })).status).toBe(401);
  });
});

describe('GET, PATCH, DELETE /workflows/{key}', () => {
  it("reads (200), and answers 404 for an unknown key and for another tenant's key", async () => {
    expect(
      await call(workflowRoute.GET, { path: '/workflows/orders', token: tokens.viewer, params: { key: 'orders' } }),
    ).toMatchObject({ status: 200, json: { key: 'orders' } });
    for (const token of [tokens.viewer, tokens.otherEditor]) {
      const missing = await call(workflowRoute.GET, {
        path: '/workflows/orders',
        token,
        params: { key: token === tokens.viewer ? 'nope' : 'orders' },
      });
      expect([missing.status, errorCode(missing.json)]).toEqual([404, 'NOT_FOUND']);
    }
    expect((await call(workflowRoute.GET, { path: '/workflows/orders', params: { key: 'orders' } })).status).toBe(401);
  });

  it('updates and archives (200), refuses a viewer (403), unknown fields (422) and another tenant (404)', async () => {
    const patched = await call(workflowRoute.PATCH, {
      method: 'PATCH',
      path: '/workflows/payroll',
      token: tokens.editor,
      params: { key: 'payroll' },
      body: { name: 'Payroll run', status: 'archived' },
    });
    expect(patched).toMatchObject({ status: 200, json: { name: 'Payroll run', status: 'archived' } });
    expect(
      (
        await call(workflowRoute.PATCH, {
          method: 'PATCH',
          path: '/workflows/payroll',
          token: tokens.viewer,
          params: { key: 'payroll' },
          body: { name: 'x' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(workflowRoute.PATCH, {
          method: 'PATCH',
          path: '/workflows/payroll',
          token: tokens.editor,
          params: { key: 'payroll' },
          body: { key: 'renamed' },
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await call(workflowRoute.PATCH, {
          method: 'PATCH',
          path: '/workflows/payroll',
          token: tokens.otherEditor,
          params: { key: 'payroll' },
          body: { name: 'x' },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(workflowRoute.PATCH, {
          method: 'PATCH',
          path: '/workflows/payroll',
          params: { key: 'payroll' },
          body: { name: 'x' },
        })
      ).status,
    ).toBe(401);
  });

  it('deletes (204), then 404; a viewer 403, another tenant 404, no token 401', async () => {
    expect(
      (
        await call(workflowRoute.DELETE, {
          method: 'DELETE',
          path: '/workflows/payroll',
          token: tokens.viewer,
          params: { key: 'payroll' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(workflowRoute.DELETE, {
          method: 'DELETE',
          path: '/workflows/payroll',
          token: tokens.otherEditor,
          params: { key: 'payroll' },
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(workflowRoute.DELETE, { method: 'DELETE', path: '/workflows/payroll', params: { key: 'payroll' } }))
        .status,
    ).toBe(401);
    expect(
      await call(workflowRoute.DELETE, {
        method: 'DELETE',
        path: '/workflows/payroll',
        token: tokens.editor,
        params: { key: 'payroll' },
      }),
    ).toMatchObject({ status: 204, json: null });
    expect(
      (
        await call(workflowRoute.DELETE, {
          method: 'DELETE',
          path: '/workflows/payroll',
          token: tokens.editor,
          params: { key: 'payroll' },
        })
      ).status,
    ).toBe(404);
  });
});

describe('versions', () => {
  const params = { key: 'orders' };
  const save = (body: unknown, token: string | undefined = tokens.editor, query = '') =>
    call(versionsRoute.POST, { method: 'POST', path: `/workflows/orders/versions${query}`, token, params, body });

  it('saves the draft (200 {version}), refuses a stale revision (409), a key mismatch (422), a viewer (403), another tenant (404)', async () => {
    expect(await save(doc('orders', [echo('a')]))).toMatchObject({ status: 200, json: { version: 1, revision: 1 } });
    const read = await call(versionRoute.GET, {
      path: '/workflows/orders/versions/1',
      token: tokens.viewer,
      params: { ...params, n: '1' },
    });
    expect(read).toMatchObject({
      status: 200,
      json: { key: 'orders', version: 1, status: 'draft', steps: [{ id: 'a' }] },
    });
    expect(read.headers.get('etag')).toBe('"1"');
    expect(await save(doc('orders', [echo('b')]), tokens.editor, '?expectedRevision=1')).toMatchObject({
      status: 200,
      json: { version: 1, revision: 2 },
    });
    const stale = await save(doc('orders', [echo('c')]), tokens.editor, '?expectedRevision=1');
    expect([stale.status, errorCode(stale.json)]).toEqual([409, 'CONFLICT']);
    const mismatch = await save(doc('payroll'));
    expect([mismatch.status, errorCode(mismatch.json)]).toEqual([422, 'VALIDATION']);
    expect((await save(doc('orders'), tokens.viewer)).status).toBe(403);
    expect((await save(doc('orders'), tokens.otherEditor)).status).toBe(404);
    expect(
      (
        await call(versionsRoute.POST, {
          method: 'POST',
          path: '/workflows/orders/versions',
          params,
          body: doc('orders'),
        })
      ).status,
    ).toBe(401);
  });

  it('publishes (200 {version, publishedAt}), then 409; an invalid draft 422 with step details', async () => {
    const publish = (n: string, token: string | null = tokens.editor) =>
      call(publishRoute.POST, {
        method: 'POST',
        path: `/workflows/orders/versions/${n}/publish`,
        token: token ?? undefined,
        params: { ...params, n },
      });
    expect((await publish('1', tokens.viewer)).status).toBe(403);
    expect((await publish('1', tokens.otherEditor)).status).toBe(404);
    expect((await publish('9')).status).toBe(404);
    expect(await publish('1')).toMatchObject({ status: 200, json: { version: 1, publishedAt: expect.any(String) } });
    const again = await publish('1');
    expect([again.status, errorCode(again.json)]).toEqual([409, 'CONFLICT']);
    const frozen = await save({ ...doc('orders'), version: 1 });
    expect([frozen.status, errorCode(frozen.json)]).toEqual([409, 'CONFLICT']);
    expect(await save(doc('orders', [{ id: 'broken', type: 'action.call', config: {} }]))).toMatchObject({
      status: 200,
      json: { version: 2 },
    });
    const invalid = await publish('2');
    expect(invalid.status).toBe(422);
    expect(invalid.json).toMatchObject({
      error: {
        code: 'VALIDATION',
        details: expect.arrayContaining([
          expect.objectContaining({ stepId: 'broken', path: expect.any(String), message: expect.any(String) }),
        ]),
      },
    });
    expect((await publish('1', null)).status).toBe(401);
  });

  it('lists versions and diffs two of them (200), 404 for a missing version, 422 without `against`', async () => {
    const list = await call(versionsRoute.GET, { path: '/workflows/orders/versions', token: tokens.viewer, params });
    expect(list.status).toBe(200);
    expect((list.json!.items as { version: number; status: string }[]).map((v) => [v.version, v.status])).toEqual([
      [2, 'draft'],
      [1, 'published'],
    ]);
    expect(
      (await call(versionsRoute.GET, { path: '/workflows/orders/versions', token: tokens.otherEditor, params })).status,
    ).toBe(404);
    expect((await call(versionsRoute.GET, { path: '/workflows/orders/versions', params })).status).toBe(401);
    const diff = await call(diffRoute.GET, {
      path: '/workflows/orders/versions/2/diff?against=1',
      token: tokens.viewer,
      params: { ...params, n: '2' },
    });
    expect(diff).toMatchObject({
      status: 200,
      json: { from: 1, to: 2, steps: { added: [{ stepId: 'broken' }], removed: [{ stepId: 'b' }] } },
    });
    expect(
      (
        await call(diffRoute.GET, {
          path: '/workflows/orders/versions/2/diff?against=5',
          token: tokens.viewer,
          params: { ...params, n: '2' },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(diffRoute.GET, {
          path: '/workflows/orders/versions/2/diff',
          token: tokens.viewer,
          params: { ...params, n: '2' },
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await call(diffRoute.GET, {
          path: '/workflows/orders/versions/2/diff?against=1',
          params: { ...params, n: '2' },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await call(versionRoute.GET, {
          path: '/workflows/orders/versions/7',
          token: tokens.viewer,
          params: { ...params, n: '7' },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(versionRoute.GET, {
          path: '/workflows/orders/versions/1',
          token: tokens.otherEditor,
          params: { ...params, n: '1' },
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(versionRoute.GET, { path: '/workflows/orders/versions/1', params: { ...params, n: '1' } })).status,
    ).toBe(401);
  });
});

describe('POST /workflows/import', () => {
  it('imports an exported document into another tenant (200 with problems), refuses a viewer (403), a bad document (422), no token (401)', async () => {
    const exported = await call(versionRoute.GET, {
      path: '/workflows/orders/versions/1',
      token: tokens.viewer,
      params: { key: 'orders', n: '1' },
    });
    const imported = await call(importRoute.POST, {
      method: 'POST',
      path: '/workflows/import',
      token: tokens.otherEditor,
      body: exported.json,
    });
    expect(imported).toMatchObject({
      status: 200,
      json: { key: 'orders', version: 1, createdWorkflow: true, problems: [] },
    });
    expect(
      (
        await call(importRoute.POST, {
          method: 'POST',
          path: '/workflows/import',
          token: tokens.viewer,
          body: exported.json,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(importRoute.POST, {
          method: 'POST',
          path: '/workflows/import',
          token: tokens.editor,
          body: { key: 'no-name' },
        })
      ).status,
    ).toBe(422);
    expect(
      (await call(importRoute.POST, { method: 'POST', path: '/workflows/import', body: exported.json })).status,
    ).toBe(401);
  });
});
