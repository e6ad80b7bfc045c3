import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  httpRequestHandler,
  type THttpRequestHandlerArgs,
} from '@/server/runtime/actions/handlers/http-request-handler';
import { HTTP_ERROR_BODY_EXCERPT_BYTES } from '@/server/runtime/actions/handlers/http-step-error';
import { parseEgressAllowList } from '@/server/security/egress-allowlist';
import {
  answer,
  startLoopbackServer,
  type TLoopbackServer,
  type TRecordedHit,
} from '@/server/security/loopback-test-server';

// Loopback servers only; 127.0.0.1 is opened through the allow list as an operator would.
const servers: TLoopbackServer[] = [];
async function serve(
  respond: (hit: TRecordedHit, response: http.ServerResponse) => void,
  host = '127.0.0.1',
): Promise<TLoopbackServer> {
  const server = await startLoopbackServer(host, respond);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const allow = parseEgressAllowList('127.0.0.1');
function call(input: unknown, extra: Partial<THttpRequestHandlerArgs> = {}) {
  return httpRequestHandler({
    input,
    signal: new AbortController().signal,
    idempotencyKey: 'run-7:steps[0]',
    allow,
    ...extra,
  });
}

describe('http.request@1: the request sent', () => {
  it('appends query params, serialises a JSON body and sends the Idempotency-Key', async () => {
    const server = await serve(answer(200));
    await call({
      method: 'POST',
      url: `${server.origin}/items?a=1`,
      query: { b: 'x y', n: 2, t: true },
      body: { name: 'Ada', tags: ['x'] },
    });
    const hit = server.hits[0];
    expect(hit?.url).toBe('/items?a=1&b=x+y&n=2&t=true');
    expect(hit?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(hit?.body ?? '')).toEqual({ name: 'Ada', tags: ['x'] });
    expect(hit?.headers['idempotency-key']).toBe('run-7:steps[0]');
  });

  it('sends a string body as it is, and keeps a content-type the caller gave', async () => {
    const server = await serve(answer(200));
    await call({
      method: 'PUT',
      url: server.origin,
      body: 'a=1&b=2',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    await call({
      method: 'PUT',
      url: server.origin,
      body: { a: 1 },
      headers: { 'content-type': 'application/vnd.api+json' },
    });
    await call({ method: 'PUT', url: server.origin, body: '<xml/>' });
    expect(server.hits.map((h) => [h.body, h.headers['content-type']])).toEqual([
      ['a=1&b=2', 'application/x-www-form-urlencoded'],
      ['{"a":1}', 'application/vnd.api+json'],
      ['<xml/>', undefined],
    ]);
  });

  it("keeps the caller's own Idempotency-Key", async () => {
    const server = await serve(answer(200));
    await call({ method: 'POST', url: server.origin, headers: { 'idempotency-key': 'mine' } });
    expect(server.hits[0]?.headers['idempotency-key']).toBe('mine');
  });
});

describe('http.request@1: the response read', () => {
  it('parses JSON when the content-type says JSON, including +json types', async () => {
    const server = await serve((hit, response) => {
      const type = hit.url === '/problem' ? 'application/problem+json' : 'application/json; charset=utf-8';
      response.writeHead(200, { 'content-type': type, 'x-request-id': 'r1' }).end('{"ok":true,"n":[1,2]}');
    });
    expect(await call({ method: 'GET', url: `${server.origin}/` })).toEqual({
      output: {
        status: 200,
        headers: expect.objectContaining({ 'x-request-id': 'r1', 'content-type': 'application/json; charset=utf-8' }),
        body: { ok: true, n: [1, 2] },
        bodyEncoding: 'json',
      },
    });
    expect(await call({ method: 'GET', url: `${server.origin}/problem` })).toMatchObject({
      output: { body: { ok: true, n: [1, 2] } },
    });
  });

  it('returns text otherwise, and for JSON-labelled bodies that do not parse', async () => {
    const server = await serve((hit, response) => {
      const type = hit.url === '/broken' ? 'application/json' : 'text/plain; charset=utf-8';
      response
        .writeHead(200, { 'content-type': type })
        .end(hit.url === '/broken' ? 'not json' : '{"looks":"like json"} – but text');
    });
    expect(await call({ method: 'GET', url: `${server.origin}/text` })).toMatchObject({
      output: { body: '{"looks":"like json"} – but text' },
    });
    expect(await call({ method: 'GET', url: `${server.origin}/broken` })).toMatchObject({
      output: { body: 'not json', bodyEncoding: 'text' },
    });
  });

  it('returns bytes that are not text, or text with NUL in it, as base64 with the content type', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe]);
    const server = await serve((hit, response) => {
      if (hit.url === '/png') response.writeHead(200, { 'content-type': 'image/png' }).end(png);
      else if (hit.url === '/nul') response.writeHead(200, { 'content-type': 'text/plain' }).end('a\u0000b');
      else if (hit.url === '/latin1')
        response
          .writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' })
          .end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
      else response.writeHead(200).end(Buffer.from([0xc3, 0x28]));
    });
    expect(await call({ method: 'GET', url: `${server.origin}/png` })).toMatchObject({
      output: { bodyEncoding: 'base64', body: { base64: png.toString('base64'), contentType: 'image/png' } },
    });
    expect(await call({ method: 'GET', url: `${server.origin}/nul` })).toMatchObject({
      output: {
        bodyEncoding: 'base64',
        body: { base64: Buffer.from('a\u0000b').toString('base64'), contentType: 'text/plain' },
      },
    });
    // Bytes that are text in their declared charset are text, whatever UTF-8 would make of them.
    expect(await call({ method: 'GET', url: `${server.origin}/latin1` })).toMatchObject({
      output: { bodyEncoding: 'text', body: 'café' },
    });
    expect(await call({ method: 'GET', url: `${server.origin}/bad-utf8` })).toMatchObject({
      output: { bodyEncoding: 'base64', body: { base64: 'wyg=', contentType: 'application/octet-stream' } },
    });
  });

  it('keeps JSON whose strings PostgreSQL cannot store (\\u0000, lone surrogates) as the text received', async () => {
    const bodies: Record<string, string> = {
      '/nul': '{"a":"x\\u0000y"}',
      '/key': '{"k\\u0000":1}',
      '/surrogate': '["\\ud800"]',
    };
    const server = await serve((hit, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(bodies[hit.url]),
    );
    for (const [path, text] of Object.entries(bodies)) {
      expect(await call({ method: 'GET', url: `${server.origin}${path}` })).toMatchObject({
        output: { bodyEncoding: 'text', body: text },
      });
    }
  });

  it('fails, not retryable, on JSON nested deeper than 64 levels, without overflowing the stack', async () => {
    const server = await serve((hit, response) =>
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(hit.url === '/ok' ? `${'['.repeat(64)}${']'.repeat(64)}` : `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
    );
    expect(await call({ method: 'GET', url: `${server.origin}/ok` })).toMatchObject({
      output: { bodyEncoding: 'json' },
    });
    expect(await call({ method: 'GET', url: `${server.origin}/deep` })).toEqual({
      error: {
        code: 'VALIDATION',
        message: `GET ${new URL(server.origin).host} answered 200, but the response's JSON body is nested deeper than 64 levels, which cannot be stored`,
        details: { status: 200 },
        retryable: false,
      },
    });
  });

  it('returns 2xx and 3xx as output', async () => {
    const server = await serve((hit, response) => response.writeHead(hit.url === '/created' ? 201 : 304).end());
    expect(await call({ method: 'POST', url: `${server.origin}/created` })).toMatchObject({
      output: { status: 201, body: '', bodyEncoding: 'text' },
    });
    expect(await call({ method: 'GET', url: `${server.origin}/cached` })).toMatchObject({ output: { status: 304 } });
  });
});

describe('http.request@1: failures and retries', () => {
  it('makes 5xx retryable, honouring Retry-After in seconds', async () => {
    const server = await serve(answer(503, 'busy', { 'retry-after': '7' }));
    expect(await call({ method: 'GET', url: `${server.origin}/secret-path?token=abc` })).toEqual({
      error: {
        code: 'HTTP',
        message: `GET ${new URL(server.origin).host} answered 503`,
        details: { status: 503, body: 'busy', bodyBytes: 4 },
        retryable: true,
        retryAfterMs: 7000,
      },
    });
  });

  it('makes 429 retryable, honouring Retry-After as an HTTP date', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    const server = await serve(answer(429, 'slow down', { 'retry-after': at }));
    const result = await call({ method: 'GET', url: server.origin });
    expect(result).toMatchObject({ error: { code: 'HTTP', details: { status: 429 }, retryable: true } });
    const retryAfterMs = 'error' in result ? result.error.retryAfterMs : undefined;
    // The date has one-second precision and a little time passes before it is read.
    expect(retryAfterMs).toBeGreaterThan(57_000);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('leaves retryAfterMs out of a 500 without Retry-After', async () => {
    const server = await serve(answer(500));
    const result = await call({ method: 'GET', url: server.origin });
    expect(result).toMatchObject({ error: { code: 'HTTP', retryable: true } });
    expect('error' in result && 'retryAfterMs' in result.error).toBe(false);
  });

  it.each([400, 401, 403, 404, 409, 422])('makes %i final', async (status) => {
    const server = await serve(answer(status, 'no', { 'retry-after': '5' }));
    const result = await call({ method: 'DELETE', url: server.origin });
    expect(result).toEqual({
      error: {
        code: 'HTTP',
        message: `DELETE ${new URL(server.origin).host} answered ${status}`,
        details: { status, body: 'no', bodyBytes: 2 },
        retryable: false,
      },
    });
  });

  it('keeps a bounded excerpt of a failed response body, so the step error says why (issue #18)', async () => {
    const reason = JSON.stringify({ error: 'amount must be positive', field: 'amount' });
    const small = await serve(answer(422, reason));
    expect(await call({ method: 'POST', url: small.origin })).toMatchObject({
      error: { details: { status: 422, body: reason, bodyBytes: reason.length } },
    });
    // Long bodies are cut (with their full size said); a NUL, which jsonb refuses, is replaced.
    const long = await serve(answer(500, `é${'x'.repeat(5000)}\u0000`));
    const result = await call({ method: 'GET', url: long.origin });
    const details = ('error' in result ? result.error.details : null) as { body: string; bodyBytes: number };
    expect(details.bodyBytes).toBe(5003);
    expect(details.body.length).toBeLessThanOrEqual(HTTP_ERROR_BODY_EXCERPT_BYTES + 1);
    expect(details.body.endsWith('…')).toBe(true);
    expect(details.body).not.toContain('\u0000');
  });

  it('makes a network error retryable', async () => {
    const server = await serve(answer(200));
    await server.close();
    expect(await call({ method: 'GET', url: server.origin })).toMatchObject({
      error: { code: 'HTTP', retryable: true },
    });
  });

  it('refuses blocked targets as EGRESS_BLOCKED, not retryable, without a request', async () => {
    const blocked = await serve(answer(200), '127.0.0.2');
    const result = await call({ method: 'GET', url: `http://2130706434:${blocked.port}/` });
    expect(result).toMatchObject({
      error: { code: 'EGRESS_BLOCKED', retryable: false, details: { address: '127.0.0.2' } },
    });
    expect(blocked.hits).toHaveLength(0);
  });

  it('reports timeoutMs as TIMEOUT and an abort as CANCELED', async () => {
    const silent = await serve(() => undefined);
    expect(await call({ method: 'GET', url: silent.origin, timeoutMs: 100 })).toMatchObject({
      error: { code: 'TIMEOUT', retryable: true },
    });
    const controller = new AbortController();
    const pending = call({ method: 'GET', url: silent.origin }, { signal: controller.signal });
    controller.abort();
    expect(await pending).toMatchObject({ error: { code: 'CANCELED', retryable: false } });
  });

  it('answers VALIDATION for input that is not an http.request', async () => {
    expect(await call({ method: 'GET', url: 'ftp://example.com/' })).toMatchObject({
      error: { code: 'VALIDATION', retryable: false },
    });
  });
});
