import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as startRoute from '@/app/api/v1/workflows/[key]/runs/route';
import { answerFast, FAST_PATH_MAX_BODY, matchFastRoute } from '@/scripts/lib/api-fast-path.mjs';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

// Issue #16: the web process answers run starts without Next.js's pipeline, through the same
// route handler. These tests send each request twice: over real HTTP to a server whose fast
// path calls the handler (anything it does not take answers 599, standing in for Next.js), and
// straight to the handler as a web Request, the way Next.js hands it over; the two answers
// must be the same, and so must what was stored. e2e/api-fast-path.spec.ts compares the fast
// path with Next.js itself on the production build.

let t: TTestDatabase;
let server: http.Server;
let base: string;
let tenantId: string;
const tokens = {} as Record<'editor' | 'viewer' | 'other', string>;

beforeAll(async () => {
  t = await createTestDatabase('api_fast_path');
  process.env.DATABASE_URL = t.url;
  const a = await createTenantWithMember({ db: t.db, role: 'admin' });
  const b = await createTenantWithMember({ db: t.db, role: 'admin' });
  tenantId = a.tenantId;
  for (const role of ['editor', 'viewer'] as const)
    tokens[role] = (await createApiToken({ db: t.db, ctx: a.ctx, input: { name: role, role } })).token;
  tokens.other = (await createApiToken({ db: t.db, ctx: b.ctx, input: { name: 'other', role: 'admin' } })).token;
  await publishWorkflow({
    db: t.db,
    ctx: a.ctx,
    key: 'fast',
    document: {
      parameterSchema: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } },
      steps: [{ id: 'double', type: 'transform.assign', config: { assign: { 'vars.n': { $expr: 'payload.n * 2' } } } }],
    },
  });
  server = http.createServer((request, response) => {
    const fast = matchFastRoute(request);
    if (fast) void answerFast({ request, response, handler: startRoute.POST, params: fast.params });
    else {
      response.statusCode = 599; // "Next.js would have answered this one"
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await closeRunEventListener();
  await t.close();
});

type TSend = { path?: string; headers: Record<string, string>; body?: string };
type TAnswer = { status: number; headers: Record<string, string>; json: unknown };

/** Headers that describe the connection or the moment, not the answer. */
const TRANSPORT = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
/** The answer's own headers, in order; Server-Timing by its shape (its duration differs per call). */
const answerHeaders = (headers: Iterable<[string, string]>) =>
  Object.fromEntries(
    [...headers]
      .filter(([name]) => !TRANSPORT.has(name))
      .map(([name, value]): [string, string] =>
        name === 'server-timing' ? [name, value.replace(/dur=\d+(\.\d+)?/, 'dur=<ms>')] : [name, value],
      )
      .sort(([a], [b]) => a.localeCompare(b)),
  );

async function overFastPath({ path = '/api/v1/workflows/fast/runs', headers, body }: TSend): Promise<TAnswer> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, headers: answerHeaders(response.headers), json: text ? JSON.parse(text) : null };
}

async function straightToHandler({ path = '/api/v1/workflows/fast/runs', headers, body }: TSend): Promise<TAnswer> {
  const key = decodeURIComponent(/\/workflows\/([^/]+)\/runs/.exec(path)![1]!);
  const request = new Request(`http://localhost${path}`, { method: 'POST', headers, body });
  const response = await startRoute.POST(request, { params: Promise.resolve({ key }) });
  const text = await response.text();
  return { status: response.status, headers: answerHeaders(response.headers), json: text ? JSON.parse(text) : null };
}

const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const runCount = async () =>
  Number(
    (
      await t.db
        .selectFrom('runs')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('the fast path answers exactly what the route handler answers', () => {
  it('starts a run: 202 with a new run id, the same headers, and the run is stored with its audit entry', async () => {
    const send = { headers: json(tokens.editor), body: JSON.stringify({ input: { n: 2 } }) };
    const fast = await overFastPath(send);
    const direct = await straightToHandler(send);
    expect(fast.status).toBe(202);
    expect(fast.headers).toEqual(direct.headers);
    expect(fast.headers['content-security-policy']).toContain("default-src 'none'");
    expect(fast.json).toEqual({ runId: expect.any(String), status: 'QUEUED' });
    expect(Object.keys(fast.json as object)).toEqual(Object.keys(direct.json as object));
    const runId = (fast.json as { runId: string }).runId;
    const run = await t.db.selectFrom('runs').select(['tenant_id', 'input']).where('id', '=', runId).executeTakeFirst();
    expect(run).toEqual({ tenant_id: tenantId, input: { n: 2 } });
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type'])
      .where('target_id', '=', runId)
      .executeTakeFirst();
    expect(audit).toEqual({ action: 'run.started', actor_type: 'token' });
  });

  it.each<[string, TSend, number, string]>([
    [
      'an input the parameter schema refuses',
      { headers: {}, body: JSON.stringify({ input: { n: 'x' } }) },
      422,
      'VALIDATION',
    ],
    ['a body field the contract refuses', { headers: {}, body: JSON.stringify({ mode: 'later' }) }, 422, 'VALIDATION'],
    ['malformed JSON', { headers: {}, body: '{"input": ' }, 400, 'BAD_REQUEST'],
    [
      'a body that is not JSON',
      { headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ input: { n: 1 } }) },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['an unknown workflow', { path: '/api/v1/workflows/nope/runs', headers: {}, body: '{}' }, 404, 'NOT_FOUND'],
  ])('%s: the same error, and no run stored', async (_what, send, status, code) => {
    const withToken = { ...send, headers: { ...json(tokens.editor), ...send.headers } };
    const before = await runCount();
    const fast = await overFastPath(withToken);
    const direct = await straightToHandler(withToken);
    expect(fast).toEqual(direct);
    expect(fast.status).toBe(status);
    expect((fast.json as { error: { code: string } }).error.code).toBe(code);
    expect(await runCount()).toBe(before);
  });

  it.each<[string, string, number, string]>([
    ['an unknown token', 'pw_not_a_token_at_all_0000000000000000', 401, 'UNAUTHENTICATED'],
    ['a viewer, who may not start runs', 'viewer', 403, 'FORBIDDEN'],
    ["another tenant's token (its own tenant has no such workflow)", 'other', 404, 'NOT_FOUND'],
  ])('%s: the same refusal, and no run stored', async (_what, who, status, code) => {
    const token = who in tokens ? tokens[who as keyof typeof tokens] : who;
    const send = { headers: json(token), body: JSON.stringify({ input: { n: 1 } }) };
    const before = await runCount();
    const fast = await overFastPath(send);
    expect(fast).toEqual(await straightToHandler(send));
    expect(fast.status).toBe(status);
    expect((fast.json as { error: { code: string } }).error.code).toBe(code);
    expect(await runCount()).toBe(before);
  });
});

describe('what the fast path leaves to Next.js', () => {
  const bearer = { authorization: 'Bearer pw_x', 'content-length': '2' };
  it.each<[string, { method?: string; url: string; headers: Record<string, string> }]>([
    ['a query string', { url: '/api/v1/workflows/fast/runs?via=next', headers: bearer }],
    ['another method', { method: 'GET', url: '/api/v1/workflows/fast/runs', headers: bearer }],
    ['another route', { url: '/api/v1/workflows/fast/runs/extra', headers: bearer }],
    ['a trailing slash', { url: '/api/v1/workflows/fast/runs/', headers: bearer }],
    [
      'a session cookie instead of a token',
      { url: '/api/v1/workflows/fast/runs', headers: { cookie: 'x=1', 'content-length': '2' } },
    ],
    [
      'a chunked body',
      { url: '/api/v1/workflows/fast/runs', headers: { authorization: 'Bearer pw_x', 'transfer-encoding': 'chunked' } },
    ],
    [
      'a body over the fast path limit',
      { url: '/api/v1/workflows/fast/runs', headers: { ...bearer, 'content-length': String(FAST_PATH_MAX_BODY + 1) } },
    ],
    ['a malformed escape in the key', { url: '/api/v1/workflows/%E0%A4%A/runs', headers: bearer }],
  ])('%s', (_what, { method = 'POST', url, headers }) => {
    expect(matchFastRoute({ method, url, headers })).toBeNull();
  });

  it('takes the route it serves, with the key as it stands in the path', () => {
    expect(
      matchFastRoute({ method: 'POST', url: '/api/v1/workflows/order-sync_2/runs', headers: bearer })?.params,
    ).toEqual({
      key: 'order-sync_2',
    });
  });

  it.each([
    ['an escaped key', '/api/v1/workflows/a%2Db/runs'],
    ['a backslash', '/api/v1/workflows/a\\b/runs'],
    ['a doubled slash', '/api/v1/workflows//runs'],
  ])('%s goes to Next.js, whose decoding and redirects apply', (_what, url) => {
    expect(matchFastRoute({ method: 'POST', url, headers: bearer })).toBeNull();
  });

  it('a large body goes to Next.js over HTTP, untouched', async () => {
    const body = JSON.stringify({ input: { n: 1, pad: 'x'.repeat(FAST_PATH_MAX_BODY) } });
    const response = await fetch(`${base}/api/v1/workflows/fast/runs`, {
      method: 'POST',
      headers: json(tokens.editor),
      body,
    });
    expect(response.status).toBe(599);
  });
});
