import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { api, E2E_BOOTSTRAP_TOKEN, signIn } from './support';
import { unique } from './ui-support';

/**
 * Issue #15 (runtime and data) against the real app: `npm start`'s web server and worker.
 * The loopback servers below are reachable because the e2e app runs with
 * PIPEWRIGHT_EGRESS_ALLOW=127.0.0.1; two ports are two origins.
 */

type TServer = {
  origin: string;
  hits: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }>;
  close: () => Promise<void>;
};

async function serve(respond: (hit: TServer['hits'][number], response: http.ServerResponse) => void): Promise<TServer> {
  const hits: TServer['hits'] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const hit = { url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      hits.push(hit);
      respond(hit, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function publish(client: ReturnType<typeof api>, key: string, document: Record<string, unknown>): Promise<void> {
  expect((await client.post('/workflows', { key, name: key })).status()).toBe(201);
  const saved = await client.post(`/workflows/${key}/versions`, { key, name: key, ...document });
  expect(saved.status(), await saved.text()).toBeLessThan(300);
  const published = await client.post(`/workflows/${key}/versions/1/publish`);
  expect(published.status(), await published.text()).toBe(200);
}

test('a signed webhook request is accepted once: the same request again is 401 and starts nothing', async ({
  request,
}) => {
  const client = api(request);
  const key = unique('sec-replay');
  const secretName = unique('REPLAY').toUpperCase().replace(/-/g, '_');
  const secretValue = `whsec-${unique('v')}`;
  expect((await client.post('/secrets', { name: secretName, value: secretValue })).status()).toBe(201);
  await publish(client, key, { steps: [{ id: 'noop', type: 'state.set', config: { state: 'received' } }] });
  const created = await client.post(`/workflows/${key}/triggers`, { type: 'webhook', config: { secret: secretName } });
  expect(created.status(), await created.text()).toBe(201);
  const { url } = (await created.json()) as { url: string };

  const body = JSON.stringify({ order: 'o-1' });
  const t = Math.floor(Date.now() / 1000);
  const headers = {
    'content-type': 'application/json',
    'pipewright-signature': `t=${t},v1=${createHmac('sha256', secretValue).update(`${t}.${body}`).digest('hex')}`,
  };
  const [first, second] = await Promise.all([
    fetch(url, { method: 'POST', headers, body }),
    fetch(url, { method: 'POST', headers, body }),
  ]);
  expect([first.status, second.status].sort()).toEqual([202, 401]);
  const third = await fetch(url, { method: 'POST', headers, body });
  expect(third.status).toBe(401);
  const runs = (await (await client.get(`/runs?workflow=${key}`)).json()) as { items: unknown[] };
  expect(runs.items).toHaveLength(1);
});

test('a secret echoed URL-encoded, JSON-escaped or base64 is masked on the run page and in the API; credentials stay with their origin', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('sec-echo');
  const secretName = unique('ECHO').toUpperCase().replace(/-/g, '_');
  const secretValue = `Sp3c/Val+ue "${unique('q')}" x&y=z`;
  const landing = await serve((_hit, response) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"landed":true}'),
  );
  const echo = await serve((hit, response) => {
    if (hit.url.startsWith('/hop')) {
      response.writeHead(302, { location: `${landing.origin}/landed` }).end();
      return;
    }
    const token = new URL(hit.url, 'http://x').searchParams.get('token') ?? '';
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        url: hit.url,
        rawBody: hit.body,
        base64: Buffer.from(token).toString('base64'),
        basic: Buffer.from(`alice:${token}`).toString('base64'),
      }),
    );
  });
  try {
    expect((await client.post('/secrets', { name: secretName, value: secretValue })).status()).toBe(201);
    await publish(client, key, {
      env: { vars: {}, secrets: { TOKEN: secretName } },
      steps: [
        {
          id: 'call',
          type: 'action.call',
          config: {
            action: 'http.request',
            version: 1,
            input: {
              method: 'POST',
              url: `${echo.origin}/echo`,
              query: { user: 'alice', token: { $secret: 'TOKEN' } },
              body: { token: { $secret: 'TOKEN' } },
            },
            saveAs: 'vars.echoed',
          },
        },
        {
          id: 'hop',
          type: 'action.call',
          config: {
            action: 'http.request',
            version: 1,
            input: {
              method: 'GET',
              url: `${echo.origin}/hop`,
              headers: { 'x-api-key': { $secret: 'TOKEN' }, 'x-tenant': 'acme' },
            },
          },
        },
      ],
      output: { $expr: 'vars.echoed.body' },
    });
    const started = await client.post(`/workflows/${key}/runs`, { input: {}, mode: 'sync', waitMs: 20_000 });
    expect(started.status(), await started.text()).toBe(200);
    const { runId } = (await started.json()) as { runId: string };

    const encodings = [
      secretValue,
      new URLSearchParams({ t: secretValue }).toString().slice(2),
      JSON.stringify(secretValue).slice(1, -1),
      Buffer.from(secretValue).toString('base64'),
      Buffer.from(`alice:${secretValue}`).toString('base64'),
    ];
    const apiText = [
      await (await client.get(`/runs/${runId}`)).text(),
      await (await client.get(`/runs/${runId}/steps`)).text(),
      await (await client.get(`/runs/${runId}/snapshots`)).text(),
      await (await client.get(`/runs/${runId}/events`)).text(),
    ].join('\n');
    expect(apiText).toContain('rawBody');
    for (const encoded of encodings) expect(apiText).not.toContain(JSON.stringify(encoded).slice(1, -1));

    await signIn(page);
    await page.goto(`/runs/${runId}`);
    await expect(page.getByText('SUCCEEDED').first()).toBeVisible();
    const html = await page.content();
    for (const encoded of encodings) {
      expect(html).not.toContain(encoded);
      expect(html).not.toContain(JSON.stringify(encoded).slice(1, -1));
    }

    // The redirect to another port: the secret-holding and custom headers stayed behind.
    expect(echo.hits.find((hit) => hit.url === '/hop')?.headers['x-api-key']).toBe(secretValue);
    expect(landing.hits).toHaveLength(1);
    expect(landing.hits[0]!.headers['x-api-key']).toBeUndefined();
    expect(landing.hits[0]!.headers['x-tenant']).toBeUndefined();
  } finally {
    await Promise.all([echo.close(), landing.close()]);
  }
});

test('hostile JSON is a 422 naming the problem, never a 500', async ({ request }) => {
  const cases: Array<[string, RegExp]> = [
    [`{"event":"hostile","payload":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, /nested deeper than 64 levels/],
    ['{"event":"hostile","payload":{"k\\u0000":1}}', /NUL character/],
    ['{"event":"hostile","payload":"\\ud800"}', /lone UTF-16 surrogate/],
  ];
  for (const [body, problem] of cases) {
    const response = await request.post('/api/v1/events', {
      headers: { authorization: `Bearer ${E2E_BOOTSTRAP_TOKEN}`, 'content-type': 'application/json' },
      data: body,
    });
    expect(response.status()).toBe(422);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(problem);
  }
});

test('"try it" evaluations run off the request thread: health answers meanwhile, a ninth at once is 429, the web server still evaluates', async ({
  request,
}) => {
  const client = api(request);
  const hostile = Array.from({ length: 8 }, () =>
    client.post('/expressions/evaluate', { source: '$count([1..100000].[1..100000])' }),
  );
  const health = await request.get('/api/v1/health');
  expect(health.status()).toBe(200);
  const statuses = (await Promise.all(hostile)).map((response) => response.status()).sort();
  // Two at a time per person: the other six are refused at once, the two fail their limit.
  expect(statuses).toEqual([422, 422, 429, 429, 429, 429, 429, 429]);
  const ok = await client.post('/expressions/evaluate', { source: '$sum([1, 2, 3])' });
  expect(ok.status(), await ok.text()).toBe(200);
  expect(await ok.json()).toEqual({ value: 6 });
  const regex = await client.post('/expressions/evaluate', { source: '$match("abc", /b/).match' });
  expect(await regex.json()).toEqual({ value: 'b' });
});
