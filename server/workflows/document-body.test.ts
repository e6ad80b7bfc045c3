import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as workflowsRoute from '@/app/api/v1/workflows/route';
import * as importRoute from '@/app/api/v1/workflows/import/route';
import * as versionsRoute from '@/app/api/v1/workflows/[key]/versions/route';
import * as versionRoute from '@/app/api/v1/workflows/[key]/versions/[n]/route';
import { buildOpenApi } from '@/server/api/build-openapi';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { callRoute, errorCode } from '@/test/route-call';

let t: TTestDatabase;
let token: string;

beforeAll(async () => {
  t = await createTestDatabase('document_body');
  const a = await createTenantWithMember({ db: t.db, role: 'admin' });
  token = (await createApiToken({ db: t.db, ctx: a.ctx, input: { name: 'editor', role: 'editor' } })).token;
  const body = { key: 'orders', name: 'Orders', description: 'Ships what was bought' };
  expect((await callRoute(workflowsRoute.POST, { method: 'POST', path: '/workflows', token, body })).status).toBe(201);
});
afterAll(async () => t.close());

const readDraft = async (key: string, n: number) =>
  (await callRoute(versionRoute.GET, { path: `/workflows/${key}/versions/${n}`, token, params: { key, n: String(n) } }))
    .json;

describe('a version document without name or description (issue #22.5)', () => {
  it("takes the workflow's on POST /workflows/{key}/versions, and keeps what it does give", async () => {
    const saved = await callRoute(versionsRoute.POST, {
      method: 'POST',
      path: '/workflows/orders/versions',
      token,
      params: { key: 'orders' },
      body: { key: 'orders', steps: [] },
    });
    expect(saved.status).toBe(200);
    expect(await readDraft('orders', 1)).toMatchObject({ name: 'Orders', description: 'Ships what was bought' });
    const own = { key: 'orders', name: 'Orders v2', steps: [] };
    expect(
      (
        await callRoute(versionsRoute.POST, {
          method: 'POST',
          path: '/workflows/orders/versions',
          token,
          params: { key: 'orders' },
          body: own,
        })
      ).status,
    ).toBe(200);
    expect(await readDraft('orders', 1)).toMatchObject({ name: 'Orders v2', description: 'Ships what was bought' });
  });

  it("takes an existing workflow's on import, and refuses a new workflow without a name (422 naming it)", async () => {
    const imported = await callRoute(importRoute.POST, {
      method: 'POST',
      path: '/workflows/import',
      token,
      body: { key: 'orders', description: 'New words' },
    });
    expect(imported.status).toBe(200);
    expect(await readDraft('orders', 1)).toMatchObject({ name: 'Orders', description: 'New words' });
    const fresh = await callRoute(importRoute.POST, {
      method: 'POST',
      path: '/workflows/import',
      token,
      body: { key: 'brand-new' },
    });
    expect([fresh.status, errorCode(fresh.json)]).toEqual([422, 'VALIDATION']);
    expect(fresh.json!.error).toMatchObject({ details: [{ path: 'name' }] });
    const none = await t.db.selectFrom('workflows').select('key').where('key', '=', 'brand-new').executeTakeFirst();
    expect(none).toBeUndefined();
  });

  it('still refuses an empty name and unknown fields', async () => {
    const empty = await callRoute(versionsRoute.POST, {
      method: 'POST',
      path: '/workflows/orders/versions',
      token,
      params: { key: 'orders' },
      body: { key: 'orders', name: ' ' },
    });
    expect(empty.json!.error).toMatchObject({ code: 'VALIDATION', details: [{ path: 'name' }] });
    const extra = await callRoute(versionsRoute.POST, {
      method: 'POST',
      path: '/workflows/orders/versions',
      token,
      params: { key: 'orders' },
      body: { key: 'orders', nmae: 'typo' },
    });
    expect(extra.status).toBe(422);
    expect(await readDraft('orders', 1)).toMatchObject({ name: 'Orders', description: 'New words' });
  });

  it('says so in the OpenAPI document', () => {
    const doc = buildOpenApi() as {
      paths: Record<
        string,
        Record<
          string,
          {
            summary: string;
            requestBody: { content: Record<string, { schema: { required?: string[]; description?: string } }> };
          }
        >
      >;
    };
    for (const path of ['/workflows/{key}/versions', '/workflows/import']) {
      const operation = doc.paths[path]!.post!;
      const schema = operation.requestBody.content['application/json']!.schema;
      expect(schema.required).toEqual(['key']);
      expect(schema.description).toMatch(/without `name` or `description`, the workflow's are used/i);
      expect(operation.summary).toMatch(/takes the workflow's/);
    }
  });
});
