import { afterEach, describe, expect, it } from 'vitest';
import { parseEgressAllowList } from '@/server/security/egress-allowlist';
import type { TResolveHost } from '@/server/security/egress-guard';
import { guardedFetch, type TGuardedFetchRequest } from '@/server/security/guarded-fetch';
import { GuardedFetchError } from '@/server/security/guarded-fetch-error';
import { answer, startLoopbackServer, type TLoopbackServer } from '@/server/security/loopback-test-server';

// Every server here listens on 127.0.0.1 or 127.0.0.2; nothing leaves the machine.
const servers: TLoopbackServer[] = [];
async function serve(...args: Parameters<typeof startLoopbackServer>): Promise<TLoopbackServer> {
  const server = await startLoopbackServer(...args);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const ONLY_127_0_0_1 = parseEgressAllowList('127.0.0.1');

async function fetchError(request: TGuardedFetchRequest): Promise<GuardedFetchError> {
  const error: unknown = await guardedFetch(request).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(GuardedFetchError);
  return error as GuardedFetchError;
}

describe('guardedFetch: reaching allowed targets', () => {
  it('fetches from 127.0.0.1 when the allow list names it', async () => {
    const server = await serve('127.0.0.1', answer(200, 'hello', { 'x-one': 'a' }));
    const response = await guardedFetch({ url: `${server.origin}/path?q=1`, allow: ONLY_127_0_0_1 });
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('hello');
    expect(response.headers['x-one']).toBe('a');
    expect(response.url).toBe(`${server.origin}/path?q=1`);
    expect(server.hits.map((h) => h.url)).toEqual(['/path?q=1']);
  });

  it('refuses 127.0.0.1 when nothing is allowed, before connecting', async () => {
    const server = await serve('127.0.0.1', answer(200));
    const error = await fetchError({ url: `${server.origin}/` });
    expect(error).toMatchObject({ code: 'EGRESS_BLOCKED', retryable: false });
    expect(error.message).toContain('127.0.0.1 is a loopback address');
    expect(server.hits).toHaveLength(0);
  });

  it('refuses schemes other than http and https', async () => {
    const error = await fetchError({ url: 'file:///etc/passwd', allow: ONLY_127_0_0_1 });
    expect(error).toMatchObject({ code: 'EGRESS_BLOCKED', retryable: false });
  });
});

describe('guardedFetch: 127.0.0.2 is refused when only 127.0.0.1 is allowed', () => {
  const notations = (port: number) => [
    `http://127.0.0.2:${port}/`,
    `http://2130706434:${port}/`,
    `http://0x7f000002:${port}/`,
    `http://0177.0.0.2:${port}/`,
    `http://0x7f.2:${port}/`,
    `http://127.2:${port}/`,
    `http://0x7f.0.0.2:${port}/`,
    `http://[::ffff:127.0.0.2]:${port}/`,
    `http://[::ffff:7f00:2]:${port}/`,
    `http://[0:0:0:0:0:ffff:7f00:2]:${port}/`,
  ];

  it('in every notation, and the blocked server sees nothing', async () => {
    const blocked = await serve('127.0.0.2', answer(200, 'secret'));
    for (const url of notations(blocked.port)) {
      const error = await fetchError({ url, allow: ONLY_127_0_0_1 });
      expect(error.code, url).toBe('EGRESS_BLOCKED');
      expect(error.message, url).toMatch(/127\.0\.0\.2\)? is a loopback address/);
    }
    expect(blocked.hits).toHaveLength(0);
  });

  it('while the same notations do reach it once it is allowed (so the refusals above are real)', async () => {
    const target = await serve('127.0.0.2', answer(200, 'reached'));
    const urls = notations(target.port);
    for (const url of urls) {
      const response = await guardedFetch({ url, allow: parseEgressAllowList('127.0.0.2') });
      expect(response.body.toString(), url).toBe('reached');
    }
    expect(target.hits).toHaveLength(urls.length);
  });

  it('behind a redirect from an allowed server, in plain and decimal notation', async () => {
    const blocked = await serve('127.0.0.2', answer(200, 'secret'));
    for (const location of [
      `${blocked.origin}/admin`,
      `http://2130706434:${blocked.port}/admin`,
      `http://[::ffff:127.0.0.2]:${blocked.port}/`,
    ]) {
      const allowed = await serve('127.0.0.1', answer(302, '', { location }));
      const error = await fetchError({ url: `${allowed.origin}/start`, allow: ONLY_127_0_0_1 });
      expect(error.code).toBe('EGRESS_BLOCKED');
      expect(error.message).toMatch(/127\.0\.0\.2\)? is a loopback address/);
      expect(allowed.hits).toHaveLength(1);
    }
    expect(blocked.hits).toHaveLength(0);
  });
});

describe('guardedFetch: hostnames are checked at connect time', () => {
  it('refuses localhost when neither it nor its addresses are allowed', async () => {
    const server = await serve('127.0.0.1', answer(200));
    const error = await fetchError({
      url: `http://localhost:${server.port}/`,
      allow: parseEgressAllowList('127.0.0.2'),
    });
    expect(error).toMatchObject({ code: 'EGRESS_BLOCKED', retryable: false, details: { host: 'localhost' } });
    expect(error.message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(server.hits).toHaveLength(0);
  });

  it('reaches localhost when the allow list names the hostname', async () => {
    const server = await serve('127.0.0.1', answer(200, 'local'));
    const response = await guardedFetch({
      url: `http://localhost:${server.port}/`,
      allow: parseEgressAllowList('localhost'),
    });
    expect(response.body.toString()).toBe('local');
  });

  it('connects to the address it checked, so a rebinding DNS answer cannot slip in', async () => {
    // One port on both addresses: only the resolver decides which host a connect reaches.
    const allowed = await serve('127.0.0.1', answer(302, '', { location: '/second' }));
    const blocked = await serve('127.0.0.2', answer(200, 'secret'), allowed.port);
    const answers = ['127.0.0.1', '127.0.0.2'];
    const lookups: string[] = [];
    const rebindingDns: TResolveHost = async (hostname) => {
      lookups.push(hostname);
      return [{ address: answers[lookups.length - 1] ?? '127.0.0.2', family: 4 }];
    };
    const error = await fetchError({
      url: `http://rebind.test:${allowed.port}/first`,
      allow: ONLY_127_0_0_1,
      resolveHost: rebindingDns,
    });
    expect(error.code).toBe('EGRESS_BLOCKED');
    expect(error.message).toContain('rebind.test resolves to 127.0.0.2, a loopback address');
    expect(lookups).toEqual(['rebind.test', 'rebind.test']);
    expect(allowed.hits.map((h) => [h.url, h.headers.host])).toEqual([['/first', `rebind.test:${allowed.port}`]]);
    expect(blocked.hits).toHaveLength(0);
  });

  it('connects only to the allowed addresses of a name that resolves to several', async () => {
    const allowed = await serve('127.0.0.1', answer(200, 'allowed'));
    const blocked = await serve('127.0.0.2', answer(200, 'secret'), allowed.port);
    const mixedDns: TResolveHost = async () => [
      { address: '127.0.0.2', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    const response = await guardedFetch({
      url: `http://mixed.test:${allowed.port}/`,
      allow: ONLY_127_0_0_1,
      resolveHost: mixedDns,
    });
    expect(response.body.toString()).toBe('allowed');
    expect(blocked.hits).toHaveLength(0);
  });
});

describe('guardedFetch: redirects', () => {
  it('follows at most 5 redirects', async () => {
    const server = await serve('127.0.0.1', (hit, response) => {
      const n = Number(hit.url.slice(1));
      response.writeHead(n < 5 ? 302 : 200, { location: `/${n + 1}` }).end(`at ${n}`);
    });
    const response = await guardedFetch({ url: `${server.origin}/0`, allow: ONLY_127_0_0_1 });
    expect(response).toMatchObject({ status: 200, url: `${server.origin}/5` });

    const endless = await serve('127.0.0.1', (hit, r) =>
      r.writeHead(302, { location: `/${Number(hit.url.slice(1)) + 1}` }).end(),
    );
    const error = await fetchError({ url: `${endless.origin}/0`, allow: ONLY_127_0_0_1 });
    expect(error).toMatchObject({ code: 'HTTP', message: 'more than 5 redirects', retryable: false });
    expect(endless.hits).toHaveLength(6);
  });

  it('turns a POST into a GET without body on 303, keeps both on 307', async () => {
    const server = await serve('127.0.0.1', (hit, response) => {
      if (hit.url === '/see-other') response.writeHead(303, { location: '/done' }).end();
      else if (hit.url === '/temporary') response.writeHead(307, { location: '/done' }).end();
      else response.writeHead(200).end();
    });
    const request = {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'Content-Type': 'application/json' },
      allow: ONLY_127_0_0_1,
    };
    await guardedFetch({ ...request, url: `${server.origin}/see-other` });
    await guardedFetch({ ...request, url: `${server.origin}/temporary` });
    expect(server.hits.map((h) => [h.url, h.method, h.body, h.headers['content-type']])).toEqual([
      ['/see-other', 'POST', '{"a":1}', 'application/json'],
      ['/done', 'GET', '', undefined],
      ['/temporary', 'POST', '{"a":1}', 'application/json'],
      ['/done', 'POST', '{"a":1}', 'application/json'],
    ]);
  });

  it('does not carry credentials to another origin', async () => {
    const other = await serve('127.0.0.1', answer(200));
    const first = await serve('127.0.0.1', answer(302, '', { location: `http://localhost:${other.port}/` }));
    await guardedFetch({
      url: first.origin,
      headers: { Authorization: 'Bearer t', Cookie: 'c=1', 'X-Keep': 'yes' },
      allow: parseEgressAllowList('127.0.0.1,localhost'),
    });
    expect(first.hits[0]?.headers).toMatchObject({ authorization: 'Bearer t', cookie: 'c=1' });
    expect(other.hits[0]?.headers.authorization).toBeUndefined();
    expect(other.hits[0]?.headers.cookie).toBeUndefined();
    // Not on the safelist: it may be a credential under any name (issue #15, item 5).
    expect(other.hits[0]?.headers['x-keep']).toBeUndefined();
  });

  it('across origins (another port), keeps only safelisted headers, and none holding a secret', async () => {
    const other = await serve('127.0.0.1', answer(200));
    const first = await serve('127.0.0.1', answer(307, '', { location: `${other.origin}/landing` }));
    const headers = {
      'X-Api-Key': 'key-123456',
      'X-Custom': 'plain',
      Accept: 'application/json',
      'Accept-Language': 'key-123456',
      'User-Agent': 'pipewright-test',
      'Idempotency-Key': 'run-1:steps[0]',
      'Content-Type': 'application/json',
    };
    await guardedFetch({
      url: first.origin,
      method: 'POST',
      body: '{}',
      headers,
      allow: ONLY_127_0_0_1,
      holdsSecret: (value) => value.includes('key-123456'),
    });
    expect(first.hits[0]?.headers).toMatchObject({
      'x-api-key': 'key-123456',
      'x-custom': 'plain',
      'accept-language': 'key-123456',
    });
    const forwarded = other.hits[0]?.headers ?? {};
    expect(forwarded['x-api-key']).toBeUndefined();
    expect(forwarded['x-custom']).toBeUndefined();
    // Safelisted, but its value holds a secret.
    expect(forwarded['accept-language']).toBeUndefined();
    expect(forwarded).toMatchObject({
      accept: 'application/json',
      'user-agent': 'pipewright-test',
      'idempotency-key': 'run-1:steps[0]',
      'content-type': 'application/json',
    });
    expect(other.hits[0]?.body).toBe('{}');
  });

  it('on the same origin (a redirect to another path), keeps every header', async () => {
    const server = await serve('127.0.0.1', (hit, response) => {
      if (hit.url === '/start') response.writeHead(302, { location: '/next' }).end();
      else response.writeHead(200).end('ok');
    });
    await guardedFetch({
      url: `${server.origin}/start`,
      headers: { 'X-Api-Key': 'key-123456', 'X-Custom': 'plain' },
      allow: ONLY_127_0_0_1,
      holdsSecret: (value) => value.includes('key-123456'),
    });
    expect(server.hits[1]?.headers).toMatchObject({ 'x-api-key': 'key-123456', 'x-custom': 'plain' });
  });
});

describe('guardedFetch: limits and failures', () => {
  it('refuses a response over the size limit, declared or streamed', async () => {
    const declared = await serve('127.0.0.1', answer(200, 'x'.repeat(2048)));
    const streamed = await serve('127.0.0.1', (_hit, response) => {
      response.writeHead(200);
      response.write('x'.repeat(1000));
      response.end('x'.repeat(1000));
    });
    for (const server of [declared, streamed]) {
      const error = await fetchError({ url: server.origin, maxResponseBytes: 1024, allow: ONLY_127_0_0_1 });
      expect(error).toMatchObject({ code: 'HTTP', message: 'response larger than 1 KiB', retryable: false });
    }
    const fits = await guardedFetch({ url: declared.origin, maxResponseBytes: 2048, allow: ONLY_127_0_0_1 });
    expect(fits.body).toHaveLength(2048);
  });

  it('times out as a retryable TIMEOUT', async () => {
    const silent = await serve('127.0.0.1', () => undefined);
    const error = await fetchError({ url: silent.origin, timeoutMs: 100, allow: ONLY_127_0_0_1 });
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('tells a canceled call from a step deadline', async () => {
    const silent = await serve('127.0.0.1', () => undefined);
    const controller = new AbortController();
    const canceled = fetchError({ url: silent.origin, signal: controller.signal, allow: ONLY_127_0_0_1 });
    controller.abort();
    expect(await canceled).toMatchObject({ code: 'CANCELED', retryable: false });
    const deadline = await fetchError({ url: silent.origin, signal: AbortSignal.timeout(50), allow: ONLY_127_0_0_1 });
    expect(deadline).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('refuses a malformed request without retrying, and without sending it', async () => {
    const server = await serve('127.0.0.1', answer(200));
    const error = await fetchError({
      url: server.origin,
      headers: { 'x-bad': 'a\r\nx-injected: 1' },
      allow: ONLY_127_0_0_1,
    });
    expect(error).toMatchObject({ code: 'HTTP', retryable: false, details: { cause: 'ERR_INVALID_CHAR' } });
    expect(server.hits).toHaveLength(0);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const server = await serve('127.0.0.1', answer(200));
    await server.close();
    const error = await fetchError({ url: server.origin, allow: ONLY_127_0_0_1 });
    expect(error).toMatchObject({ code: 'HTTP', retryable: true, details: { cause: 'ECONNREFUSED' } });
  });
});
