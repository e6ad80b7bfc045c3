import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { startRun } from '@/server/runtime/start-run';
import { putSecret } from '@/server/secrets/put-secret';
import { startLoopbackServer, type TLoopbackServer } from '@/server/security/loopback-test-server';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import {
  killAllWorkers,
  startWorker,
  untilAllTerminal,
  workerOutputs,
  WORKER_READY_TIMEOUT_MS,
} from '@/test/faults/fault-harness';

const SECRET = 'sk_live_9f8e7d6c5b4a39281706';
let t: TTestDatabase;
let server: TLoopbackServer;

beforeAll(async () => {
  t = await createTestDatabase('worker_log');
  process.env.DATABASE_URL = t.url;
  let calls = 0;
  // Fails the first call (a retry, logged as a step error), then answers with the token echoed back.
  server = await startLoopbackServer('127.0.0.1', (hit, response) => {
    calls += 1;
    response.writeHead(calls === 1 ? 503 : 200, { 'content-type': 'application/json', 'retry-after': '0' });
    response.end(JSON.stringify({ echoed: hit.headers.authorization, url: hit.url }));
  });
});
afterAll(async () => {
  await killAllWorkers();
  await server.close();
  await t.close();
});

it(
  "the worker's log of a run that uses secrets is JSON lines naming worker and run, and never holds the secret",
  async () => {
    const { ctx } = await createTenantWithMember({ db: t.db, role: 'admin' });
    await putSecret({ db: t.db, ctx, input: { name: 'api-key', value: SECRET } });
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'uses-secret',
      document: {
        env: { secrets: { KEY: 'api-key' } },
        steps: [
          {
            id: 'call',
            type: 'action.call',
            retry: { maxAttempts: 3, initialDelayMs: 10, backoffCoefficient: 1, maxDelayMs: 10, jitter: false },
            config: {
              action: 'http.request',
              version: 1,
              input: {
                method: 'POST',
                url: `${server.origin}/hook`,
                headers: { authorization: { $secret: 'KEY' } },
                query: { key: { $secret: 'KEY' } },
                body: { key: { $secret: 'KEY' } },
              },
              saveAs: 'vars.answer',
            },
          },
          { id: 'note', type: 'log', config: { level: 'warn', message: 'about to fail on purpose' } },
          { id: 'boom', type: 'control.fail', config: { code: 'LEAK', message: { $expr: 'vars.answer.body.echoed' } } },
        ],
      },
    });
    const worker = await startWorker({ url: t.url, env: { PIPEWRIGHT_LOG_LEVEL: 'debug' } });
    onTestFailed(() => console.log(workerOutputs([worker])));
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'uses-secret',
      input: {},
      trigger: { type: 'api' },
    });
    await untilAllTerminal(t.db, [runId], 60_000);
    const run = await t.db
      .selectFrom('runs')
      .select(['status', 'error'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(run.status).toBe('FAILED');
    // The secret really travelled: the receiver got it in the header, the query and the body.
    expect(server.hits.length).toBe(2);
    expect(server.hits[1]!.headers.authorization).toBe(SECRET);

    const lines = worker
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(2);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const entry of entries) {
      expect(typeof entry.level).toBe('string');
      expect(typeof entry.msg).toBe('string');
      expect(new Date(String(entry.time)).toISOString()).toBe(entry.time);
      expect(entry.service).toBe('worker');
    }
    expect(entries.some((entry) => entry.workerId === worker.id && /^ready/.test(String(entry.msg)))).toBe(true);
    expect(entries.some((entry) => entry.runId === runId && entry.workerId === worker.id)).toBe(true);
    // Every line of the run names its tenant too; a step's lines name the step (SPEC §8).
    const runLines = entries.filter((entry) => entry.runId === runId);
    for (const entry of runLines) expect(entry).toMatchObject({ tenantId: ctx.tenantId, workerId: worker.id });
    const stepLine = (stepId: string, event: string) =>
      runLines.find((entry) => entry.stepId === stepId && entry.event === event);
    expect(stepLine('call', 'step.failed')).toMatchObject({ level: 'warn', attempt: 1, path: 'steps[0]' });
    expect(stepLine('call', 'step.succeeded')).toMatchObject({ level: 'debug', attempt: 2 });
    // A log step's line keeps its level and message.
    expect(stepLine('note', 'log')).toMatchObject({ level: 'warn', msg: 'about to fail on purpose' });
    expect(runLines.find((entry) => entry.event === 'run.failed')).toMatchObject({ level: 'warn', code: 'LEAK' });
    // The grep: not in any form the masking knows (plain, URL-encoded, base64).
    const log = worker.output();
    for (const form of [SECRET, encodeURIComponent(SECRET), Buffer.from(SECRET).toString('base64')])
      expect(log).not.toContain(form);
  },
  WORKER_READY_TIMEOUT_MS + 90_000,
); // the worker starts, then the run has 60 s
