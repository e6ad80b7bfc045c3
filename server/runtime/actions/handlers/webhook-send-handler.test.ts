import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  webhookSendHandler,
  type TWebhookSendHandlerArgs,
} from '@/server/runtime/actions/handlers/webhook-send-handler';
import { ACTION_HANDLERS } from '@/server/runtime/actions/handlers';
import { parseEgressAllowList } from '@/server/security/egress-allowlist';
import { closeEgressConnectionPools } from '@/server/security/egress-connection-pool';
import {
  answer,
  startLoopbackServer,
  type TLoopbackServer,
  type TRecordedHit,
} from '@/server/security/loopback-test-server';
import { verifyPipewrightSignature } from '@/examples/webhook-receiver/verify-signature.mjs';

// Receivers are real HTTP servers on loopback; only 127.0.0.1 is allowed, as an operator would.
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
  closeEgressConnectionPools();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const allow = parseEgressAllowList('127.0.0.1');
const SECRET = 'whsec_4f2a9c7e1b';
function send(input: unknown, extra: Partial<TWebhookSendHandlerArgs> = {}) {
  return webhookSendHandler({
    input,
    signal: new AbortController().signal,
    idempotencyKey: 'run-9:steps[2]',
    allow,
    ...extra,
  });
}

/** The receiver's side, written independently of the sender: parse the header, recompute, compare. */
function verifyAsReceiver(hit: TRecordedHit, secret: string): { t: number; valid: boolean } {
  const header = String(hit.headers['pipewright-signature']);
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return { t: NaN, valid: false };
  const expected = createHmac('sha256', secret).update(`${match[1]}.${hit.body}`).digest('hex');
  return { t: Number(match[1]), valid: expected === match[2] };
}

describe('webhook.send@1: what the receiver gets', () => {
  it('POSTs the payload as JSON, signed as SPEC §4.4 says, with the Idempotency-Key', async () => {
    const receiver = await serve(answer(202));
    const payload = { invoiceId: 'INV-7', amount: 1250.5, lines: [{ sku: 'Ä-1', qty: 2 }], note: 'naïve "quotes"' };
    const before = Math.floor(Date.now() / 1000);
    expect(await send({ url: `${receiver.origin}/hooks/in`, payload, secret: SECRET })).toEqual({
      output: { status: 202 },
    });
    const hit = receiver.hits[0]!;
    expect(hit).toMatchObject({ method: 'POST', url: '/hooks/in' });
    expect(hit.headers['content-type']).toBe('application/json');
    expect(hit.headers['idempotency-key']).toBe('run-9:steps[2]');
    expect(JSON.parse(hit.body)).toEqual(payload);
    const { t, valid } = verifyAsReceiver(hit, SECRET);
    expect(valid).toBe(true);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(verifyAsReceiver(hit, 'another-secret').valid).toBe(false);
  });

  it('signs with the timestamp it is given, so the signature is exactly reproducible', async () => {
    const receiver = await serve(answer(200));
    await send({ url: receiver.origin, payload: [1, 'two', null], secret: 'k' }, { now: () => 1_763_800_000 });
    const expected = createHmac('sha256', 'k').update('1763800000.[1,"two",null]').digest('hex');
    expect(receiver.hits[0]?.headers['pipewright-signature']).toBe(`t=1763800000,v1=${expected}`);
  });

  it('sends no signature without a secret, and a null payload as null', async () => {
    const receiver = await serve(answer(204, ''));
    expect(await send({ url: receiver.origin, payload: null })).toEqual({ output: { status: 204 } });
    expect(receiver.hits[0]?.headers['pipewright-signature']).toBeUndefined();
    expect(receiver.hits[0]?.body).toBe('null');
  });

  it('passes the README recipes (Node and openssl): valid as sent, invalid when body, secret or time differ', async () => {
    const receiver = await serve(answer(200));
    await send({
      url: receiver.origin,
      payload: { event: 'invoice.paid', id: 'INV-1', text: "it's $5 & more" },
      secret: SECRET,
    });
    const hit = receiver.hits[0]!;
    const header = String(hit.headers['pipewright-signature']);
    expect(verifyPipewrightSignature(hit.body, header, SECRET)).toBe(true);
    expect(verifyPipewrightSignature(`${hit.body} `, header, SECRET)).toBe(false);
    expect(verifyPipewrightSignature(hit.body, header, 'wrong')).toBe(false);
    expect(verifyPipewrightSignature(hit.body, header.replace(/v1=[0-9a-f]+/, 'v1=abc'), SECRET)).toBe(false);
    const stale = await serve(answer(200));
    await send(
      { url: stale.origin, payload: { a: 1 }, secret: SECRET },
      { now: () => Math.floor(Date.now() / 1000) - 301 },
    );
    const staleHit = stale.hits[0]!;
    expect(verifyPipewrightSignature(staleHit.body, String(staleHit.headers['pipewright-signature']), SECRET)).toBe(
      false,
    );

    for (const [sig, secret, body, expected] of [
      [header, SECRET, hit.body, 'valid'],
      [header, 'wrong', hit.body, 'invalid'],
      [header, SECRET, hit.body.replace('INV-1', 'INV-2'), 'invalid'],
      [String(staleHit.headers['pipewright-signature']), SECRET, staleHit.body, 'invalid'],
    ] as const) {
      const child = execFile('sh', ['examples/webhook-receiver/verify-signature.sh', sig, secret]);
      const output = new Promise<string>((resolve) => {
        let out = '';
        child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('close', () => resolve(out.trim()));
      });
      child.stdin?.end(body);
      expect(await output, `${secret} ${body}`).toBe(expected);
    }
  });
});

describe('webhook.send@1: failures and retries, as http.request', () => {
  it('makes 5xx and 429 retryable with Retry-After, 4xx final', async () => {
    const busy = await serve(answer(503, 'busy', { 'retry-after': '12' }));
    expect(await send({ url: busy.origin, payload: {} })).toMatchObject({
      error: { code: 'HTTP', details: { status: 503 }, retryable: true, retryAfterMs: 12_000 },
    });
    const slow = await serve(answer(429, '', { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }));
    const limited = await send({ url: slow.origin, payload: {} });
    expect(limited).toMatchObject({ error: { code: 'HTTP', details: { status: 429 }, retryable: true } });
    expect('error' in limited ? limited.error.retryAfterMs : 0).toBeGreaterThan(27_000);
    const gone = await serve(answer(410));
    expect(await send({ url: gone.origin, payload: {} })).toEqual({
      error: {
        code: 'HTTP',
        message: `POST ${new URL(gone.origin).host} answered 410`,
        details: { status: 410, body: 'ok', bodyBytes: 2 },
        retryable: false,
      },
    });
  });

  it('signs every attempt anew, so a retry carries a fresh timestamp', async () => {
    const receiver = await serve(answer(500));
    await send({ url: receiver.origin, payload: { n: 1 }, secret: SECRET }, { now: () => 1_000 });
    await send({ url: receiver.origin, payload: { n: 1 }, secret: SECRET }, { now: () => 2_000 });
    expect(receiver.hits.map((hit) => String(hit.headers['pipewright-signature']).slice(0, 7))).toEqual([
      't=1000,',
      't=2000,',
    ]);
    expect(receiver.hits.map((hit) => hit.headers['idempotency-key'])).toEqual(['run-9:steps[2]', 'run-9:steps[2]']);
  });

  it('makes a network error retryable', async () => {
    const receiver = await serve(answer(200));
    await receiver.close();
    expect(await send({ url: receiver.origin, payload: {} })).toMatchObject({
      error: { code: 'HTTP', retryable: true },
    });
  });

  it('refuses 127.0.0.2 (also as a decimal number and behind a redirect) while only 127.0.0.1 is allowed', async () => {
    const blocked = await serve(answer(200), '127.0.0.2');
    expect(await send({ url: `${blocked.origin}/`, payload: {}, secret: SECRET })).toMatchObject({
      error: { code: 'EGRESS_BLOCKED', retryable: false },
    });
    expect(await send({ url: `http://2130706434:${blocked.port}/`, payload: {} })).toMatchObject({
      error: { code: 'EGRESS_BLOCKED', retryable: false },
    });
    const redirecting = await serve(answer(307, '', { location: `http://[::ffff:127.0.0.2]:${blocked.port}/` }));
    expect(await send({ url: redirecting.origin, payload: {} })).toMatchObject({
      error: { code: 'EGRESS_BLOCKED', retryable: false },
    });
    expect(redirecting.hits).toHaveLength(1);
    expect(blocked.hits).toHaveLength(0);
  });

  it('answers VALIDATION for input that is not a webhook.send', async () => {
    expect(await send({ url: 'ftp://example.com', payload: {} })).toMatchObject({
      error: { code: 'VALIDATION', retryable: false },
    });
  });
});

describe('webhook.send@1: connections', () => {
  const saved = { allow: process.env.PIPEWRIGHT_EGRESS_ALLOW, keepAlive: process.env.PIPEWRIGHT_EGRESS_KEEPALIVE };
  afterEach(() => {
    for (const [name, value] of [
      ['PIPEWRIGHT_EGRESS_ALLOW', saved.allow],
      ['PIPEWRIGHT_EGRESS_KEEPALIVE', saved.keepAlive],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });

  /** Three webhooks of one tenant, as the worker sends them (the built-in handler, its environment). */
  async function sendThree(receiver: TLoopbackServer) {
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    for (let index = 0; index < 3; index++) {
      const result = await ACTION_HANDLERS['webhook.send@1']({
        input: { url: `${receiver.origin}/hook`, payload: { index } },
        signal: new AbortController().signal,
        idempotencyKey: `run-9:steps[${index}]`,
        invocation: {
          db: null as never,
          tenantId: 'tenant-webhooks',
          runId: 'run-9',
          stepPath: `steps[${index}]`,
          maskSecrets: (value) => value,
          addSecret: () => undefined,
          assertLeaseHeld: () => undefined,
        },
      });
      expect(result).toEqual({ output: { status: 200 } });
    }
  }

  it("sends one tenant's webhooks over one kept-alive connection", async () => {
    const receiver = await serve(answer(200));
    await sendThree(receiver);
    expect(receiver.hits).toHaveLength(3);
    expect(receiver.connections).toBe(1);
  });

  it('opens a connection per webhook with PIPEWRIGHT_EGRESS_KEEPALIVE=off', async () => {
    process.env.PIPEWRIGHT_EGRESS_KEEPALIVE = 'off';
    const receiver = await serve(answer(200));
    await sendThree(receiver);
    expect(receiver.connections).toBe(3);
  });
});
