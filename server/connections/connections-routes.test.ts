import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as connectionRoute from '@/app/api/v1/connections/[name]/route';
import * as connectionsRoute from '@/app/api/v1/connections/route';
import { readConnection } from '@/server/connections/read-connection';
import { connectionNamesIn } from '@/server/connections/list-connection-uses';
import { createApiToken } from '@/server/tokens/create-api-token';
import type { TRole } from '@/model/roles';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { callRoute, errorCode, type TRouteCall, type TRouteHandler } from '@/test/route-call';
import { secretEncodings } from '@/server/runtime/interpreter/mask-secrets';
import { createWorkflow } from '@/server/workflows/create-workflow';
import { saveDraft } from '@/server/workflows/save-draft';

let t: TTestDatabase;
let a: Awaited<ReturnType<typeof createTenantWithMember>>;
let b: Awaited<ReturnType<typeof createTenantWithMember>>;
const tokens = {} as Record<'admin' | 'editor' | 'viewer' | 'otherAdmin', string>;
const seen: string[] = [];

const SECRETS = {
  token: 'tok-7b1f0c2d9e-alpha',
  password: 'pa55-w0rd:with/odd?chars',
  apiKey: 'sk-test-0123456789abcdef',
  pgPassword: 'pg-secret-4471',
  mcpHeader: 'Bearer mcp-9931-zeta',
};

beforeAll(async () => {
  t = await createTestDatabase('connections_routes');
  a = await createTenantWithMember({ db: t.db, role: 'admin' });
  b = await createTenantWithMember({ db: t.db, role: 'admin' });
  const make = async (role: TRole, ctx = a.ctx) =>
    (await createApiToken({ db: t.db, ctx, input: { name: `${role} token`, role } })).token;
  tokens.admin = await make('admin');
  tokens.editor = await make('editor');
  tokens.viewer = await make('viewer');
  tokens.otherAdmin = await make('admin', b.ctx);
});
afterAll(async () => t.close());

async function call(handler: TRouteHandler, init: TRouteCall) {
  const answer = await callRoute(handler, init);
  seen.push(JSON.stringify(answer.json));
  return answer;
}
const post = (body: unknown, token = tokens.admin) =>
  call(connectionsRoute.POST as TRouteHandler, { method: 'POST', path: '/connections', token, body });
const list = (token = tokens.admin, query = '') =>
  call(connectionsRoute.GET as TRouteHandler, { path: `/connections${query}`, token });
const remove = (name: string, token = tokens.admin) =>
  call(connectionRoute.DELETE as TRouteHandler, {
    method: 'DELETE',
    path: `/connections/${name}`,
    token,
    params: { name },
  });

const EXAMPLES = [
  {
    name: 'crm',
    type: 'http',
    description: 'The CRM API',
    config: { baseUrl: 'https://crm.example.com/api/v2', auth: { type: 'bearer', token: SECRETS.token } },
  },
  {
    name: 'mail',
    type: 'smtp',
    config: { host: 'smtp.example.com', port: 587, username: 'robot', password: SECRETS.password },
  },
  {
    name: 'warehouse',
    type: 'postgres',
    config: { connectionString: `postgres://reporter:${SECRETS.pgPassword}@db.example.com:5432/sales` },
  },
  {
    name: 'llm',
    type: 'openai',
    config: {
      baseUrl: 'https://api.openai.com/v1',
      apiKey: SECRETS.apiKey,
      prices: { 'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
    },
  },
  {
    name: 'tools',
    type: 'mcp',
    config: { url: 'https://mcp.example.com/mcp', headers: { authorization: SECRETS.mcpHeader } },
  },
];

describe('POST /connections', () => {
  it('creates each type and shows everything but the secret fields', async () => {
    for (const example of EXAMPLES) {
      const created = await post(example);
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      expect(created.json).toMatchObject({ name: example.name, type: example.type, usedBy: [] });
    }
    const { json } = await list();
    const items = json?.items as Array<Record<string, unknown>>;
    expect(items.map((item) => item.name)).toEqual(['crm', 'llm', 'mail', 'tools', 'warehouse']);
    const byName = Object.fromEntries(items.map((item) => [item.name as string, item]));
    expect(byName.crm).toMatchObject({
      description: 'The CRM API',
      config: { baseUrl: 'https://crm.example.com/api/v2', auth: { type: 'bearer' } },
      secretFields: ['auth.token'],
    });
    expect(byName.mail).toMatchObject({
      config: { host: 'smtp.example.com', username: 'robot' },
      secretFields: ['password'],
    });
    expect(byName.warehouse).toMatchObject({
      config: { connectionString: 'postgres://reporter@db.example.com:5432/sales' },
      secretFields: ['connectionString.password'],
    });
    expect(byName.llm).toMatchObject({
      config: { baseUrl: 'https://api.openai.com/v1', prices: { 'gpt-4o-mini': { inputPerMillion: 0.15 } } },
      secretFields: ['apiKey'],
    });
    expect(byName.tools).toMatchObject({
      config: { headerNames: ['authorization'] },
      secretFields: ['headers.authorization'],
    });
  });

  it('seals the config: no secret in the row in any encoding, and it reads back whole for the runtime', async () => {
    const rows = await sql<{ all: string }>`SELECT row_to_json(c)::text AS all FROM connections c`.execute(t.db);
    const text = rows.rows.map((row) => row.all).join('\n');
    for (const secret of Object.values(SECRETS)) {
      for (const form of secretEncodings(secret)) expect(text).not.toContain(form);
      const hits = await sql<{ n: number }>`SELECT count(*)::int AS n FROM connections
         WHERE position(convert_to(${secret}, 'UTF8') IN ciphertext) > 0`.execute(t.db);
      expect(hits.rows[0]?.n).toBe(0);
    }
    const read = await readConnection({ db: t.db, tenantId: a.ctx.tenantId, name: 'crm', type: 'http' });
    expect(read).toMatchObject({
      connection: { type: 'http', config: { auth: { type: 'bearer', token: SECRETS.token } } },
    });
  });

  it('binds the ciphertext to tenant and name: a row copied to another name does not decrypt', async () => {
    await sql`INSERT INTO connections (tenant_id, name, type, config, ciphertext, iv, auth_tag)
      SELECT tenant_id, 'crm-copy', type, config, ciphertext, iv, auth_tag FROM connections
       WHERE tenant_id = ${a.ctx.tenantId} AND name = 'crm'`.execute(t.db);
    await expect(
      readConnection({ db: t.db, tenantId: a.ctx.tenantId, name: 'crm-copy', type: 'http' }),
    ).rejects.toThrow(/cannot be decrypted/);
    await remove('crm-copy');
  });

  it('refuses a bad config with 422 naming the field, and stores nothing', async () => {
    const bad = [
      { name: 'x', type: 'http', config: { baseUrl: 'ftp://files.example.com' } },
      { name: 'x', type: 'http', config: { baseUrl: 'https://a.example.com', auth: { type: 'bearer', token: '' } } },
      { name: 'x', type: 'postgres', config: { connectionString: 'mysql://a@b/c' } },
      { name: 'x', type: 'openai', config: { baseUrl: 'https://api.example.com' } },
      { name: 'x', type: 'ldap', config: {} },
      { name: 'bad name!', type: 'http', config: { baseUrl: 'https://a.example.com' } },
      { name: 'x', type: 'http', config: { baseUrl: 'https://a.example.com', extra: 1 } },
    ];
    for (const body of bad) {
      const answer = await post(body);
      expect(answer.status, JSON.stringify(body)).toBe(422);
      expect(errorCode(answer.json)).toBe('VALIDATION');
    }
    const first = await post(bad[0]);
    expect(JSON.stringify(first.json)).toMatch(/config\.baseUrl/);
    const names = (await list()).json?.items as Array<{ name: string }>;
    expect(names.map((item) => item.name)).not.toContain('x');
  });

  it('replaces a connection of the same name, keeping its description when none is given', async () => {
    const replaced = await post({ name: 'crm', type: 'http', config: { baseUrl: 'https://crm2.example.com' } });
    expect(replaced.status).toBe(201);
    expect(replaced.json).toMatchObject({
      description: 'The CRM API',
      config: { auth: { type: 'none' } },
      secretFields: [],
    });
  });
});

describe('access', () => {
  it('lets editors list (to pick connections) but only admins change them; viewers see nothing', async () => {
    expect((await list(tokens.editor)).status).toBe(200);
    expect((await list(tokens.viewer)).status).toBe(403);
    expect((await post(EXAMPLES[0], tokens.editor)).status).toBe(403);
    expect((await remove('llm', tokens.editor)).status).toBe(403);
  });

  it('keeps tenants apart: another tenant neither sees nor deletes them', async () => {
    expect((await list(tokens.otherAdmin)).json?.items).toEqual([]);
    const answer = await remove('llm', tokens.otherAdmin);
    expect(answer.status).toBe(404);
    expect((await list()).json?.items).toContainEqual(expect.objectContaining({ name: 'llm' }));
  });

  it('filters by type, and refuses an unknown type with 422', async () => {
    const items = (await list(tokens.admin, '?type=postgres')).json?.items as Array<{ name: string }>;
    expect(items.map((item) => item.name)).toEqual(['warehouse']);
    expect((await list(tokens.admin, '?type=ldap')).status).toBe(422);
  });
});

describe('used by', () => {
  it('names the workflows whose draft or published version uses a connection', async () => {
    await createWorkflow({ db: t.db, ctx: a.ctx, input: { key: 'sync-crm', name: 'Sync CRM' } });
    await saveDraft({
      db: t.db,
      ctx: a.ctx,
      input: {
        key: 'sync-crm',
        document: {
          key: 'sync-crm',
          name: 'Sync CRM',
          steps: [
            {
              id: 'each',
              type: 'control.forEach',
              config: {
                items: { $expr: '[1,2]' },
                steps: [
                  {
                    id: 'fetch',
                    type: 'action.call',
                    config: {
                      action: 'http.request',
                      version: 1,
                      input: { connection: 'crm', method: 'GET', url: '/x' },
                    },
                  },
                ],
              },
            },
          ],
        } as never,
      },
    });
    const items = (await list()).json?.items as Array<{ name: string; usedBy: unknown[] }>;
    expect(items.find((item) => item.name === 'crm')?.usedBy).toEqual([
      { workflowKey: 'sync-crm', workflowName: 'Sync CRM' },
    ]);
    expect(items.find((item) => item.name === 'llm')?.usedBy).toEqual([]);
  });

  it('reads only literal names in action inputs', () => {
    expect(
      connectionNamesIn({
        steps: [
          { type: 'action.call', config: { input: { connection: 'a' } } },
          { type: 'action.call', config: { input: { connection: { $expr: 'vars.c' } } } },
          { type: 'transform.assign', config: { input: { connection: 'not-an-action' } } },
        ],
      }),
    ).toEqual(new Set(['a']));
  });
});

describe('DELETE /connections/{name}', () => {
  it('deletes, then answers 404', async () => {
    expect((await remove('mail')).status).toBe(204);
    expect((await remove('mail')).status).toBe(404);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'target_id'])
      .where('tenant_id', '=', a.ctx.tenantId)
      .where('target_type', '=', 'connection')
      .execute();
    expect(audit).toContainEqual({ action: 'connection.deleted', target_id: 'mail' });
    expect(audit).toContainEqual({ action: 'connection.created', target_id: 'mail' });
  });

  it('never returned a secret, in any encoding, in any answer of this file', () => {
    const all = seen.join('\n');
    for (const secret of Object.values(SECRETS))
      for (const form of secretEncodings(secret)) expect(all).not.toContain(form);
  });
});
