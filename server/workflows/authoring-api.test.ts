import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as startRoute from '@/app/api/v1/workflows/[key]/runs/route';
import * as runRoute from '@/app/api/v1/runs/[id]/route';
import * as stepsRoute from '@/app/api/v1/runs/[id]/steps/route';
import * as eventsRoute from '@/app/api/v1/runs/[id]/events/route';
import { closeCodePool } from '@/server/runtime/code/code-pool';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { createApiToken } from '@/server/tokens/create-api-token';
import { callRoute, errorCode, publishOverApi } from '@/test/api';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun } from '@/test/runtime';

let t: TTestDatabase;
let editor: string;
beforeAll(async () => {
  t = await createTestDatabase('authoring_api');
  process.env.DATABASE_URL = t.url;
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'admin' });
  editor = (await createApiToken({ db: t.db, ctx, input: { name: 'editor', role: 'editor' } })).token;
});
afterAll(async () => {
  await closeRunEventListener();
  await closeExpressionPool();
  await closeCodePool();
  await t.close();
});

/** Starts a run over the API, drives it as a worker would, and reads it back over the API. */
async function runOverApi(key: string, input: unknown = {}) {
  const started = await callRoute(startRoute.POST, {
    method: 'POST',
    path: `/workflows/${key}/runs`,
    token: editor,
    body: { input },
    params: { key },
  });
  expect(started.status, JSON.stringify(started.json)).toBe(202);
  const runId = started.json!.runId as string;
  await driveRun({ db: t.db, runId });
  const params = { id: runId };
  const run = (await callRoute(runRoute.GET, { path: `/runs/${runId}`, token: editor, params })).json!;
  const steps = (await callRoute(stepsRoute.GET, { path: `/runs/${runId}/steps`, token: editor, params })).json!
    .items as Array<Record<string, unknown>>;
  const events = (await callRoute(eventsRoute.GET, { path: `/runs/${runId}/events`, token: editor, params })).json!
    .items as Array<Record<string, unknown>>;
  return { runId, run, steps, events };
}

const logsOf = (events: Array<Record<string, unknown>>) => events.filter((e) => e.type === 'log').map((e) => e.data);

describe('code.js through the API', () => {
  it('runs the code on the envelope, saves its result, is batched and logs its console lines', async () => {
    const published = await publishOverApi(editor, 'code-sum', {
      parameterSchema: { type: 'object', properties: { lines: { type: 'array' } } },
      steps: [
        { id: 'prep', type: 'transform.assign', config: { assign: { 'vars.rate': 2 } } },
        {
          id: 'sum',
          type: 'code.js',
          config: {
            source:
              'console.log("lines", input.payload.lines.length);\n' +
              'return input.payload.lines.reduce((a, b) => a + b, 0) * input.vars.rate;',
            saveAs: 'vars.total',
          },
        },
        {
          id: 'custom',
          type: 'code.js',
          config: {
            source: 'return { doubled: input.n * 2 }',
            input: { n: { $expr: 'vars.total' } },
            saveAs: 'vars.more',
          },
        },
      ],
      output: { $expr: '{"total": vars.total, "more": vars.more.doubled}' },
    });
    expect(published.status, JSON.stringify(published.json)).toBe(200);
    const { run, steps, events } = await runOverApi('code-sum', { lines: [1, 2, 3] });
    expect(run).toMatchObject({ status: 'SUCCEEDED', output: { total: 12, more: 24 } });
    expect(steps.map((s) => [s.stepId, s.status, s.output])).toEqual([
      ['prep', 'SUCCEEDED', { 'vars.rate': 2 }],
      ['sum', 'SUCCEEDED', 12],
      ['custom', 'SUCCEEDED', { doubled: 24 }],
    ]);
    expect(logsOf(events)).toEqual([{ path: 'steps[1]', level: 'info', message: 'lines 3' }]);
    // Pure: the whole run is one commit after the claim, like a run of transform.assign steps.
    const log = events.find((e) => e.type === 'log')!;
    expect(log.stepId).toBe('sum');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('refuses at publish a code step whose source does not parse, naming the line', async () => {
    const refused = await publishOverApi(editor, 'code-syntax', {
      steps: [{ id: 'bad', type: 'code.js', config: { source: 'const a = 1;\nlet b = ;\nreturn a;' } }],
    });
    expect([refused.status, errorCode(refused)]).toEqual([422, 'VALIDATION']);
    expect((refused.json!.error as { details: unknown[] }).details).toContainEqual(
      expect.objectContaining({
        stepId: 'bad',
        path: 'steps[0].config.source',
        message: expect.stringMatching(/SyntaxError.*\(line 2, column \d+\)/),
      }),
    );
  });

  it('fails the step with CODE, the message and the line of a thrown error, and does not retry it', async () => {
    await publishOverApi(editor, 'code-throws', {
      steps: [
        {
          id: 'boom',
          type: 'code.js',
          retry: { maxAttempts: 3, initialDelayMs: 1 },
          config: {
            source:
              'console.error("about to fail");\nif (!input.payload.ok) {\n' +
              '  throw new Error("not ok: " + input.payload.why);\n}\nreturn 1;',
          },
        },
      ],
    });
    const { run, steps, events } = await runOverApi('code-throws', { ok: false, why: 'missing' });
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatchObject({
      code: 'CODE',
      stepId: 'boom',
      message: 'Step "boom": Error: not ok: missing (line 3, column 18)',
      details: { line: 3 },
    });
    expect(steps).toHaveLength(1);
    expect(logsOf(events)).toEqual([{ path: 'steps[0]', level: 'error', message: 'about to fail' }]);
  });

  it('fails a runaway with TIMEOUT or CODE_LIMIT, and the next run on the same worker is fine', async () => {
    await publishOverApi(editor, 'code-hostile', {
      steps: [
        {
          id: 'hostile',
          type: 'control.switch',
          config: {
            value: { $expr: 'payload.kind' },
            cases: [
              {
                when: 'loop',
                steps: [{ id: 'loop', type: 'code.js', config: { source: 'for (;;) {}', timeoutMs: 100 } }],
              },
              {
                when: 'memory',
                steps: [
                  {
                    id: 'memory',
                    type: 'code.js',
                    config: {
                      source: 'const a = []; for (;;) a.push(new Array(1e5).fill(1));',
                      memoryMb: 8,
                      timeoutMs: 10_000,
                    },
                  },
                ],
              },
              {
                when: 'big',
                steps: [
                  {
                    id: 'big',
                    type: 'code.js',
                    config: { source: 'return "x".repeat(10 * 1024 * 1024)', memoryMb: 64, timeoutMs: 10_000 },
                  },
                ],
              },
            ],
            default: [
              {
                id: 'fine',
                type: 'code.js',
                config: { source: 'return "fine"', saveAs: 'vars.result', timeoutMs: 10_000 },
              },
            ],
          },
        },
      ],
      output: { $expr: 'vars.result' },
    });
    for (const [kind, code] of [
      ['loop', 'TIMEOUT'],
      ['memory', 'CODE_LIMIT'],
      ['big', 'CODE_LIMIT'],
    ] as const) {
      const { run } = await runOverApi('code-hostile', { kind });
      expect([kind, run.status, (run.error as { code: string }).code]).toEqual([kind, 'FAILED', code]);
      expect((await runOverApi('code-hostile', { kind: 'none' })).run).toMatchObject({
        status: 'SUCCEEDED',
        output: 'fine',
      });
    }
  });
});

describe('the log step', () => {
  it('appends log events with their level, message and data', async () => {
    await publishOverApi(editor, 'logging', {
      steps: [
        { id: 'hello', type: 'log', config: { message: { $expr: '"Order " & payload.id' } } },
        {
          id: 'careful',
          type: 'log',
          config: { level: 'warn', message: 'Stock is low', data: { left: { $expr: 'payload.left' } } },
        },
        { id: 'detail', type: 'log', config: { level: 'debug', message: 'details' } },
      ],
    });
    const { run, events } = await runOverApi('logging', { id: 'A-1', left: 2 });
    expect(run.status).toBe('SUCCEEDED');
    expect(logsOf(events)).toEqual([
      { path: 'steps[0]', level: 'info', message: 'Order A-1' },
      { path: 'steps[1]', level: 'warn', message: 'Stock is low', data: { left: 2 } },
      { path: 'steps[2]', level: 'debug', message: 'details' },
    ]);
  });

  it('refuses an unknown level at publish', async () => {
    const refused = await publishOverApi(editor, 'logging-bad', {
      steps: [{ id: 'x', type: 'log', config: { level: 'fatal', message: 'x' } }],
    });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.json)).toContain('steps[0].config.level');
  });
});

describe('templates', () => {
  it('render {{ }} into text wherever $expr is allowed: JSON for objects, nothing for null or missing', async () => {
    const published = await publishOverApi(editor, 'templated', {
      steps: [
        {
          id: 'letter',
          type: 'transform.assign',
          config: {
            assign: {
              'vars.text': {
                $template:
                  'Dear {{ payload.name }}, total {{ $sum(payload.lines.price) }}. ' +
                  '{{ payload.missing }}|{{ payload.obj }}|{{ {"a": {"b": 1}} }} \\{{ kept',
              },
            },
          },
        },
        { id: 'mark', type: 'state.set', config: { state: { $template: '{{ payload.name }} billed' } } },
        { id: 'note', type: 'log', config: { message: { $template: 'Sent to {{ payload.name }}' } } },
      ],
      output: { $template: '{{ vars.text }}' },
    });
    expect(published.status, JSON.stringify(published.json)).toBe(200);
    const { run, events } = await runOverApi('templated', {
      name: 'Ada',
      lines: [{ price: 10 }, { price: 20 }],
      obj: { a: 1 },
    });
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      state: 'Ada billed',
      output: 'Dear Ada, total 30. |{"a":1}|{"a":{"b":1}} {{ kept',
    });
    expect(logsOf(events)).toEqual([{ path: 'steps[2]', level: 'info', message: 'Sent to Ada' }]);
  });

  it('refuses at publish a template whose {{ }} does not parse or is not closed, with the offset', async () => {
    const refused = await publishOverApi(editor, 'templated-bad', {
      steps: [
        { id: 'a', type: 'transform.assign', config: { assign: { 'vars.x': { $template: 'Hello {{ payload.( }}' } } } },
        { id: 'b', type: 'state.set', config: { state: { $template: 'open {{ payload.name' } } },
      ],
    });
    expect([refused.status, errorCode(refused)]).toEqual([422, 'VALIDATION']);
    const details = (refused.json!.error as { details: Array<Record<string, unknown>> }).details;
    expect(details).toContainEqual(
      expect.objectContaining({
        stepId: 'a',
        path: 'steps[0].config.assign.vars.x.$template',
        offset: expect.any(Number),
      }),
    );
    const a = details.find((d) => d.stepId === 'a')!;
    expect(a.offset as number).toBeGreaterThanOrEqual('Hello {{ '.length);
    expect(a.message).toMatch(/^At offset \d+ of the template/);
    expect(details).toContainEqual(
      expect.objectContaining({
        stepId: 'b',
        path: 'steps[1].config.state.$template',
        offset: 5,
        message: expect.stringMatching(/no closing/),
      }),
    );
  });

  it('fails a run with EXPRESSION when a template expression fails at run time, naming the offset', async () => {
    await publishOverApi(editor, 'templated-fails', {
      steps: [
        {
          id: 'calc',
          type: 'transform.assign',
          config: { assign: { 'vars.x': { $template: 'n = {{ $number(payload.n) }}' } } },
        },
      ],
    });
    const { run } = await runOverApi('templated-fails', { n: 'not a number' });
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatchObject({
      code: 'EXPRESSION',
      stepId: 'calc',
      message: expect.stringMatching(/template at offset 6/),
    });
  });
});

describe('workflow defaults', () => {
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();
  beforeAll(async () => {
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    // /flaky/<id> fails twice with 503, then answers; /slow waits 1.5 s.
    server = createServer((request, response) => {
      const url = request.url ?? '';
      const count = (hits.get(url) ?? 0) + 1;
      hits.set(url, count);
      if (url.startsWith('/flaky/') && count <= 2) {
        response.writeHead(503).end('busy');
      } else if (url === '/slow') {
        setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"slow":true}'), 1500);
      } else {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const get = (id: string, url: string, extra: Record<string, unknown> = {}) => ({
    id,
    type: 'action.call',
    config: { action: 'http.request', version: 1, input: { method: 'GET', url } },
    ...extra,
  });

  it("retries action calls without their own retry by settings.defaultRetry; a step's own retry wins", async () => {
    const published = await publishOverApi(editor, 'default-retry', {
      settings: { defaultRetry: { maxAttempts: 3, initialDelayMs: 1, jitter: false } },
      steps: [get('by-default', `${base}/flaky/a`)],
    });
    expect(published.status, JSON.stringify(published.json)).toBe(200);
    const retried = await runOverApi('default-retry');
    expect(retried.run.status).toBe('SUCCEEDED');
    expect(retried.steps.map((s) => [s.attempt, s.status])).toEqual([
      [1, 'FAILED'],
      [2, 'FAILED'],
      [3, 'SUCCEEDED'],
    ]);

    await publishOverApi(editor, 'own-retry', {
      settings: { defaultRetry: { maxAttempts: 3, initialDelayMs: 1 } },
      steps: [get('own', `${base}/flaky/b`, { retry: { maxAttempts: 1 } })],
    });
    const once = await runOverApi('own-retry');
    expect(once.run.status).toBe('FAILED');
    expect(once.steps).toHaveLength(1);
  });

  it("limits steps by settings.defaultStepTimeoutMs; a step's own timeoutMs wins", async () => {
    await publishOverApi(editor, 'default-timeout', {
      settings: { defaultStepTimeoutMs: 200 },
      steps: [get('slow', `${base}/slow`)],
    });
    const timedOut = await runOverApi('default-timeout');
    expect(timedOut.run).toMatchObject({ status: 'FAILED', error: { code: 'TIMEOUT', stepId: 'slow' } });

    await publishOverApi(editor, 'own-timeout', {
      settings: { defaultStepTimeoutMs: 200 },
      steps: [get('slow', `${base}/slow`, { timeoutMs: 10_000 })],
    });
    expect((await runOverApi('own-timeout')).run.status).toBe('SUCCEEDED');
  });

  it('refuses a bad default policy at publish with 422 naming the field', async () => {
    const refused = await publishOverApi(editor, 'default-bad', {
      settings: { defaultRetry: { maxAttempts: 0 }, defaultStepTimeoutMs: -5 },
      steps: [],
    });
    expect(refused.status).toBe(422);
    const paths = JSON.stringify(refused.json);
    expect(paths).toContain('settings.defaultRetry.maxAttempts');
    expect(paths).toContain('settings.defaultStepTimeoutMs');
  });
});
