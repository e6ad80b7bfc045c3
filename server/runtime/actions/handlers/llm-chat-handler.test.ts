import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { putConnection } from '@/server/connections/put-connection';
import { startLoopbackServer, type TLoopbackServer, type TRecordedHit } from '@/server/security/loopback-test-server';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { getRun } from '@/server/runs/get-run';
import { listLlmUsageByDay } from '@/server/llm/llm-usage';
import { costUsdOf, llmChatHandler } from '@/server/runtime/actions/handlers/llm-chat-handler';
import { closeEgressConnectionPools } from '@/server/security/egress-connection-pool';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import type http from 'node:http';

// A loopback server that speaks OpenAI's /v1/chat/completions: the user message picks the answer.
let t: TTestDatabase;
let ctx: TAuthContext;
let stub: TLoopbackServer;
const API_KEY = 'sk-stub-key-83c1e0a9f2';
const savedAllow = process.env.PIPEWRIGHT_EGRESS_ALLOW;
let rateLimitedOnce = false;

function completion(content: string, promptTokens = 1000, completionTokens = 500) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'gpt-test',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

function respond(hit: TRecordedHit, response: http.ServerResponse) {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
  if (hit.url !== '/v1/chat/completions' || hit.method !== 'POST')
    return json(404, { error: { message: 'no such route' } });
  if (hit.headers.authorization !== `Bearer ${API_KEY}`)
    return json(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
  const request = JSON.parse(hit.body) as { messages: Array<{ content: string }>; response_format?: { type: string } };
  const said = request.messages.at(-1)?.content ?? '';
  if (said === 'bad request')
    return json(400, { error: { message: "Invalid value for 'temperature'", type: 'invalid_request_error' } });
  if (said === 'rate limited once' && !rateLimitedOnce) {
    rateLimitedOnce = true;
    return json(429, { error: { message: 'Rate limit reached' } }, { 'retry-after': '1' });
  }
  if (said === 'server error') return json(503, { error: { message: 'overloaded' } });
  if (said === 'echo the key') return json(200, completion(`your key is ${API_KEY}`));
  if (request.response_format?.type === 'json_object')
    return json(
      200,
      completion(
        said === 'not json please' ? 'Sure! Here it is: label=billing' : '{"label":"billing","confidence":0.9}',
      ),
    );
  return json(200, completion(`You said: ${said}`));
}

beforeAll(async () => {
  t = await createTestDatabase('llm_chat');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  stub = await startLoopbackServer('127.0.0.1', respond);
  const prices = { 'gpt-test': { inputPerMillion: 2, outputPerMillion: 6 } };
  await putConnection({
    db: t.db,
    ctx,
    input: { name: 'llm', type: 'openai', config: { baseUrl: stub.origin, apiKey: API_KEY, prices } },
  });
  await putConnection({
    db: t.db,
    ctx,
    input: { name: 'llm-v1', type: 'openai', config: { baseUrl: `${stub.origin}/v1`, apiKey: API_KEY } },
  });
  await putConnection({
    db: t.db,
    ctx,
    input: { name: 'llm-wrong', type: 'openai', config: { baseUrl: stub.origin, apiKey: 'sk-wrong-key-000' } },
  });
});
afterEach(() => {
  if (savedAllow === undefined) delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  else process.env.PIPEWRIGHT_EGRESS_ALLOW = savedAllow;
  delete process.env.PIPEWRIGHT_EGRESS_KEEPALIVE;
  closeEgressConnectionPools();
});
afterAll(async () => {
  await stub.close();
  await closeExpressionPool();
  await t.close();
});

function chat(input: Record<string, unknown>) {
  process.env.PIPEWRIGHT_EGRESS_ALLOW ??= '127.0.0.1';
  return llmChatHandler({
    input: { connection: 'llm', model: 'gpt-test', ...input },
    signal: new AbortController().signal,
    idempotencyKey: 'dry:key-1',
    invocation: {
      db: t.db,
      tenantId: ctx.tenantId,
      runId: '00000000-0000-0000-0000-000000000000',
      stepPath: 'steps[0]',
      maskSecrets: (value) => value,
      addSecret: () => undefined,
      assertLeaseHeld: () => undefined,
    },
  });
}
const user = (content: string) => [{ role: 'user', content }];

describe('llm.chat@1', () => {
  it('answers with content, usage and costUsd from the connection prices; sends the key and Idempotency-Key', async () => {
    const result = await chat({
      messages: [{ role: 'system', content: 'Be brief.' }, ...user('hello')],
      temperature: 0,
      maxTokens: 50,
    });
    expect(result).toEqual({
      output: {
        content: 'You said: hello',
        usage: { inputTokens: 1000, outputTokens: 500 },
        costUsd: 0.005,
        model: 'gpt-test',
        finishReason: 'stop',
      },
    });
    const hit = stub.hits.at(-1)!;
    expect(hit.headers['idempotency-key']).toBe('dry:key-1');
    expect(JSON.parse(hit.body)).toEqual({
      model: 'gpt-test',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello' },
      ],
      temperature: 0,
      max_tokens: 50,
    });
  });

  it('takes a baseUrl ending in /v1 as the API root, and costs 0 without a price for the model', async () => {
    const result = await chat({ connection: 'llm-v1', messages: user('hi') });
    expect(result).toMatchObject({ output: { content: 'You said: hi', costUsd: 0 } });
    expect(stub.hits.at(-1)?.url).toBe('/v1/chat/completions');
  });

  it('json: asks for a JSON object and parses it', async () => {
    const result = await chat({ messages: user('classify'), json: true });
    expect(result).toMatchObject({ output: { json: { label: 'billing', confidence: 0.9 } } });
    expect(JSON.parse(stub.hits.at(-1)!.body)).toMatchObject({ response_format: { type: 'json_object' } });
  });

  it('json: a text answer is a clear LLM error, not retried', async () => {
    expect(await chat({ messages: user('not json please'), json: true })).toMatchObject({
      error: { code: 'LLM', retryable: false, message: expect.stringMatching(/asked for JSON.*does not parse/) },
    });
  });

  it('a 400 fails for good with the provider message; a wrong key is a 401', async () => {
    expect(await chat({ messages: user('bad request') })).toMatchObject({
      error: {
        code: 'HTTP',
        retryable: false,
        details: { status: 400 },
        message: expect.stringMatching(/Invalid value for 'temperature'/),
      },
    });
    expect(await chat({ connection: 'llm-wrong', messages: user('hi') })).toMatchObject({
      error: {
        code: 'HTTP',
        retryable: false,
        details: { status: 401 },
        message: expect.stringMatching(/Incorrect API key/),
      },
    });
  });

  it('429 and 5xx are retryable, with Retry-After', async () => {
    rateLimitedOnce = false;
    expect(await chat({ messages: user('rate limited once') })).toMatchObject({
      error: { code: 'HTTP', retryable: true, retryAfterMs: 1000, details: { status: 429 } },
    });
    expect(await chat({ messages: user('server error') })).toMatchObject({ error: { code: 'HTTP', retryable: true } });
  });

  it('unreachable and blocked hosts', async () => {
    await putConnection({
      db: t.db,
      ctx,
      input: { name: 'llm-closed', type: 'openai', config: { baseUrl: 'http://127.0.0.1:1', apiKey: API_KEY } },
    });
    expect(await chat({ connection: 'llm-closed', messages: user('hi') })).toMatchObject({
      error: { code: 'HTTP', retryable: true, message: expect.stringMatching(/ECONNREFUSED/) },
    });
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '10.0.0.0/8';
    const before = stub.hits.length;
    expect(await chat({ messages: user('hi') })).toMatchObject({ error: { code: 'EGRESS_BLOCKED' } });
    expect(stub.hits.length).toBe(before);
  });

  it("sends a tenant's calls over one kept-alive connection; PIPEWRIGHT_EGRESS_KEEPALIVE=off opens one per call", async () => {
    closeEgressConnectionPools();
    const before = stub.connections;
    for (const said of ['one', 'two', 'three']) expect(await chat({ messages: user(said) })).toHaveProperty('output');
    expect(stub.connections - before).toBe(1);
    process.env.PIPEWRIGHT_EGRESS_KEEPALIVE = 'off';
    const off = stub.connections;
    for (const said of ['four', 'five']) expect(await chat({ messages: user(said) })).toHaveProperty('output');
    expect(stub.connections - off).toBe(2);
  });

  it('costs tokens at the price per million', () => {
    expect(costUsdOf({ inputPerMillion: 0.15, outputPerMillion: 0.6 }, 1234, 567)).toBe(0.000525);
    expect(costUsdOf(undefined, 1234, 567)).toBe(0);
  });
});

describe('llm.chat in runs: retries, usage on the run and its parent, the Overview', () => {
  it('waits out a 429 with Retry-After, then sums usage over the run and its child; the key is never stored', async () => {
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    rateLimitedOnce = false;
    const call = (id: string, content: string) => ({
      id,
      type: 'action.call',
      config: {
        action: 'llm.chat',
        version: 1,
        input: { connection: 'llm', model: 'gpt-test', messages: user(content) },
      },
      retry: { maxAttempts: 3, initialDelayMs: 10, jitter: false },
    });
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'summarise-child',
      document: { steps: [call('ask', 'echo the key')] } as never,
    });
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'summarise',
      document: {
        steps: [
          call('first', 'rate limited once'),
          { id: 'child', type: 'control.callWorkflow', config: { workflow: 'summarise-child', input: {} } },
        ],
      } as never,
    });
    const hitsBefore = stub.hits.length;
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'summarise',
      input: {},
      trigger: { type: 'api' },
    });
    const started = Date.now();
    let status = await driveRun({ db: t.db, runId });
    const child = await t.db.selectFrom('runs').select('id').where('parent_run_id', '=', runId).executeTakeFirst();
    if (child) await driveRun({ db: t.db, runId: child.id });
    if (status === 'WAITING') status = await driveRun({ db: t.db, runId });
    expect(status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(stub.hits.length - hitsBefore).toBe(3);
    const retried = await t.db
      .selectFrom('run_events')
      .select('data')
      .where('run_id', '=', runId)
      .where('type', '=', 'step.retry_scheduled')
      .execute();
    expect(retried).toHaveLength(1);

    const run = await getRun({ db: t.db, ctx, input: { id: runId } });
    // The 429 cost nothing; two answered calls of 1000 + 500 tokens at 2 and 6 USD per million.
    expect(run.usage).toEqual({ inputTokens: 2000, outputTokens: 1000, costUsd: 0.01 });
    const childRun = await getRun({ db: t.db, ctx, input: { id: child!.id } });
    expect(childRun.usage).toEqual({ inputTokens: 1000, outputTokens: 500, costUsd: 0.005 });

    const stored = await t.db
      .selectFrom('run_steps')
      .select(['output', 'input'])
      .where('run_id', '=', child!.id)
      .execute();
    expect(JSON.stringify(stored)).not.toContain(API_KEY);
    expect(JSON.stringify(stored)).toContain('your key is ••••••');

    const days = await listLlmUsageByDay({ db: t.db, tenantId: ctx.tenantId });
    expect(days).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ workflowKey: 'summarise', inputTokens: 1000, outputTokens: 500, costUsd: 0.005 }),
        expect.objectContaining({ workflowKey: 'summarise-child', inputTokens: 1000, outputTokens: 500 }),
      ]),
    );
  });
});
