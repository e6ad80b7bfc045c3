import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as actionsRoute from '@/app/api/v1/registry/actions/route';
import * as nodesRoute from '@/app/api/v1/registry/nodes/route';
import { ACTION_REFS } from '@/server/runtime/actions/action-descriptor';
import { NODE_TYPES } from '@/model/nodes/node-shape';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';

let t: TTestDatabase;
let viewerToken: string;

beforeAll(async () => {
  t = await createTestDatabase('registry_routes');
  const tenant = await createTenantWithMember({ db: t.db, role: 'admin' });
  viewerToken = (await createApiToken({ db: t.db, ctx: tenant.ctx, input: { name: 'viewer', role: 'viewer' } })).token;
});
afterAll(async () => t.close());

type THandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type TItems = { items: Array<Record<string, unknown>>; nextCursor: null };

/**
 * Without a token the request is marked cross-site: a same-origin one would fall through to the
 * session-cookie lookup, which needs Next's request scope that a direct handler call lacks.
 */
async function get(handler: THandler, path: string, token?: string) {
  const headers: Record<string, string> =
    token === undefined ? { 'sec-fetch-site': 'cross-site' } : { authorization: `Bearer ${token}` };
  const response = await handler(new Request(`http://localhost/api/v1${path}`, { headers }), {
    params: Promise.resolve({}),
  });
  return { status: response.status, json: (await response.json()) as TItems & { error?: { code: string } } };
}

const ajv = new Ajv({ strict: false });
addFormats(ajv);

describe('GET /api/v1/registry/nodes', () => {
  it('answers a viewer with every node type and its JSON Schemas', async () => {
    const { status, json } = await get(nodesRoute.GET, '/registry/nodes', viewerToken);
    expect(status).toBe(200);
    expect(json.nextCursor).toBeNull();
    expect(json.items.map((item) => item.type)).toEqual([...NODE_TYPES]);
    for (const item of json.items) {
      expect(Object.keys(item).sort()).toEqual([
        'category',
        'configSchema',
        'description',
        'icon',
        'outputSchema',
        'title',
        'type',
      ]);
      expect(() => ajv.compile(item.configSchema as object), String(item.type)).not.toThrow();
      expect(() => ajv.compile(item.outputSchema as object), String(item.type)).not.toThrow();
    }
  });

  it('answers 401 without a token and with an unknown one', async () => {
    for (const token of [undefined, 'pw_thisTokenWasNeverIssuedByAnyone000000000000']) {
      const { status, json } = await get(nodesRoute.GET, '/registry/nodes', token);
      expect(status).toBe(401);
      expect(json.error?.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('GET /api/v1/registry/actions', () => {
  it('answers a viewer with every action version and its JSON Schemas', async () => {
    const { status, json } = await get(actionsRoute.GET, '/registry/actions', viewerToken);
    expect(status).toBe(200);
    expect(json.items.map((item) => item.ref).sort()).toEqual([...ACTION_REFS].sort());
    for (const item of json.items) {
      expect(item).toMatchObject({
        id: expect.any(String),
        version: expect.any(Number),
        title: expect.any(String),
        icon: expect.any(String),
      });
      expect(() => ajv.compile(item.inputSchema as object), String(item.ref)).not.toThrow();
      expect(() => ajv.compile(item.outputSchema as object), String(item.ref)).not.toThrow();
    }
  });

  it('answers 401 without a token', async () => {
    const { status, json } = await get(actionsRoute.GET, '/registry/actions');
    expect(status).toBe(401);
    expect(json.error?.code).toBe('UNAUTHENTICATED');
  });
});
