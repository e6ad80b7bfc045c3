import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { api, E2E_BOOTSTRAP_TOKEN, E2E_LOG_FILE } from './support';

// Issue #16: the production web process answers POST /api/v1/workflows/{key}/runs on a fast
// path (scripts/lib/api-fast-path.mjs) with the same compiled route handler Next.js calls. A
// query string sends the same request through Next.js instead, so every request here is sent
// both ways and the answers compared: status, body and every header but the connection's own.

/**
 * Headers that describe the connection, the moment or the encoding, not the answer. Next.js
 * also gzips a streamed answer when the client accepts it (Playwright's request decodes it, so
 * the bodies compare as sent) and adds `Vary: rsc, next-router-state-tree, …, Accept-Encoding`
 * for its React Server Components router; the fast path sends the body as is with its length,
 * and has nothing to vary on (the answers are `no-store` JSON anyway).
 */
const TRANSPORT = new Set([
  'date',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'content-encoding',
  'vary',
]);

type TAnswer = { status: number; headers: Record<string, string>; json: unknown; framing: Record<string, string> };

async function send(
  request: APIRequestContext,
  path: string,
  { token = E2E_BOOTSTRAP_TOKEN, body, type = 'application/json' }: { token?: string; body: string; type?: string },
): Promise<TAnswer> {
  const response = await request.post(path, {
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    data: Buffer.from(body), // as is: Playwright would JSON-encode a string that does not parse
  });
  const all = response.headers();
  const headers = Object.fromEntries(
    Object.entries(all)
      .filter(([name]) => !TRANSPORT.has(name))
      // Server-Timing by its shape: each answer has its own duration.
      .map(([name, value]) => [name, name === 'server-timing' ? value.replace(/dur=\d+(\.\d+)?/, 'dur=<ms>') : value])
      .sort(([a], [b]) => a!.localeCompare(b!)),
  );
  const framing = Object.fromEntries(Object.entries(all).filter(([name]) => TRANSPORT.has(name) && name !== 'date'));
  const text = await response.text();
  return { status: response.status(), headers, json: text ? JSON.parse(text) : null, framing };
}

/** The same request on the fast path and through Next.js (`?via=next`). */
async function bothWays(request: APIRequestContext, key: string, options: Parameters<typeof send>[2]) {
  const fast = await send(request, `/api/v1/workflows/${key}/runs`, options);
  const next = await send(request, `/api/v1/workflows/${key}/runs?via=next`, options);
  return { fast, next };
}

const requestLines = (status: number) =>
  readFileSync(E2E_LOG_FILE, 'utf8')
    .split('\n')
    .filter((line) => line.includes('startWorkflowRun') && line.includes(`"status":${status}`)).length;

test.describe('run starts on the fast path answer exactly as through Next.js', () => {
  const key = `e2e-fast-${Date.now()}`;

  test.beforeAll(async ({ request }) => {
    const client = api(request);
    expect((await client.post('/workflows', { key, name: key })).status()).toBe(201);
    const saved = await client.post(`/workflows/${key}/versions`, {
      key,
      name: key,
      parameterSchema: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } },
      steps: [{ id: 'double', type: 'transform.assign', config: { assign: { 'vars.n': { $expr: 'payload.n * 2' } } } }],
      output: { $expr: 'vars.n' },
    });
    expect(saved.status(), await saved.text()).toBeLessThan(300);
    expect((await client.post(`/workflows/${key}/versions/1/publish`)).status()).toBe(200);
  });

  test('a start: 202, the same headers, two runs that both finish', async ({ request }) => {
    const { fast, next } = await bothWays(request, key, { body: JSON.stringify({ input: { n: 21 } }) });
    expect(fast.status).toBe(202);
    expect(next.status).toBe(202);
    expect(fast.headers).toEqual(next.headers);
    expect(fast.headers['content-security-policy']).toContain("default-src 'none'");
    expect(fast.headers['x-frame-options']).toBe('DENY');
    // The framing tells which path answered: the fast path sends the body as is with its
    // length, Next.js streams it (gzipped, as Playwright accepts gzip).
    expect(fast.framing['content-length']).toBeDefined();
    expect(fast.framing['content-encoding']).toBeUndefined();
    expect(next.framing['transfer-encoding']).toBe('chunked');
    expect(next.framing['content-encoding']).toBe('gzip');
    const client = api(request);
    for (const answer of [fast, next]) {
      const { runId } = answer.json as { runId: string };
      await expect
        .poll(async () => ((await (await client.get(`/runs/${runId}`)).json()) as { status: string }).status)
        .toBe('SUCCEEDED');
      expect(((await (await client.get(`/runs/${runId}`)).json()) as { output: unknown }).output).toBe(42);
    }
  });

  test('refusals: the same status and error body, and each is in the request log', async ({ request }) => {
    const cases: Array<[Parameters<typeof send>[2], number]> = [
      [{ body: JSON.stringify({ input: { n: 'many' } }) }, 422],
      [{ body: '{"input": ' }, 400],
      [{ body: JSON.stringify({ input: { n: 1 } }), type: 'text/plain' }, 415],
      [{ body: JSON.stringify({ input: { n: 1 } }), token: 'pw_not_a_real_token_000000000000000000' }, 401],
    ];
    for (const [options, status] of cases) {
      const logged = requestLines(status);
      const { fast, next } = await bothWays(request, key, options);
      expect(fast).toEqual({ ...next, framing: fast.framing });
      expect(fast.status).toBe(status);
      await expect.poll(() => requestLines(status)).toBeGreaterThanOrEqual(logged + 2);
    }
    const unknown = await bothWays(request, `${key}-missing`, { body: '{}' });
    expect(unknown.fast).toEqual({ ...unknown.next, framing: unknown.fast.framing });
    expect(unknown.fast.status).toBe(404);
  });
});
