import { deflateSync } from 'node:zlib';
import { afterEach, beforeEach, expect, it, onTestFailed } from 'vitest';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import {
  killAllWorkers,
  startReceiver,
  startWorker,
  until,
  untilAllTerminal,
  workerOutputs,
  type TReceiver,
  type TReceiverAnswer,
  type TWorkerProcess,
} from '@/test/faults/fault-harness';

/**
 * Answers from an outside server that the run cannot store or schedule as they are. Each
 * once crashed the worker's pass (an Invalid Date, a jsonb the database refused, a stack
 * overflow), the step was re-executed on every recovery and the run ended WORKER_CRASHED.
 */

let t: TTestDatabase;
let receiver: TReceiver | null = null;
beforeEach(async () => {
  t = await createTestDatabase('fault_bounded');
  process.env.DATABASE_URL = t.url;
});
afterEach(async () => {
  await killAllWorkers();
  await receiver?.close();
  await t.close();
});

/** A real (tiny, 1×1) PNG: bytes that are not UTF-8 and contain NULs. */
function onePixelPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0, 255]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Publishes a one-call workflow per answer (the receiver answers by path), starts a worker and a run of each, and returns the run ids. */
async function startCallRuns({
  answers,
  retry,
  workers,
}: {
  answers: Record<string, TReceiverAnswer>;
  retry: Record<string, unknown>;
  workers: TWorkerProcess[];
}): Promise<Record<string, string>> {
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'editor' });
  receiver = await startReceiver({ answer: (_key, _n, path) => answers[path.slice(1)] ?? { status: 404 } });
  for (const name of Object.keys(answers)) {
    await publishWorkflow({
      db: t.db,
      ctx,
      key: name,
      document: {
        steps: [
          {
            id: 'call',
            type: 'action.call',
            retry,
            config: {
              action: 'http.request',
              version: 1,
              input: { method: 'GET', url: `${receiver.url}/${name}` },
              saveAs: 'vars.response',
            },
          },
          {
            id: 'after',
            type: 'transform.assign',
            config: { assign: { 'vars.encoding': { $expr: 'vars.response.bodyEncoding' } } },
          },
        ],
      },
    });
  }
  workers.push(await startWorker({ url: t.url }));
  const runIds: Record<string, string> = {};
  for (const name of Object.keys(answers))
    runIds[name] = (
      await startRun({ tenantId: ctx.tenantId, workflowKey: name, input: {}, trigger: { type: 'api' } })
    ).runId;
  return runIds;
}

it('a Retry-After of 99999999999 s (or a thousand nines) schedules the retry at most an hour out, and the worker goes on', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const startedAt = Date.now();
  const runIds = await startCallRuns({
    answers: {
      eons: { status: 503, headers: { 'retry-after': '99999999999' } },
      beyond: { status: 429, headers: { 'retry-after': '9'.repeat(1000) } },
    },
    retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000, jitter: false },
    workers,
  });
  for (const runId of Object.values(runIds)) {
    await until(
      `run ${runId} to wait for its retry`,
      async () =>
        (await t.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow()).status ===
        'WAITING',
      { timeoutMs: 20_000 },
    );
    const scheduled = await t.db
      .selectFrom('run_events')
      .select('data')
      .where('run_id', '=', runId)
      .where('type', '=', 'step.retry_scheduled')
      .execute();
    expect(scheduled.map((e) => (e.data as { delayMs: number }).delayMs)).toEqual([3_600_000]);
    const wait = await t.db
      .selectFrom('run_waits')
      .select(['kind', 'resume_at'])
      .where('run_id', '=', runId)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
    expect(wait.kind).toBe('retry');
    expect(wait.resume_at!.getTime()).toBeGreaterThanOrEqual(startedAt + 3_600_000);
    expect(wait.resume_at!.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);
    const attempts = await t.db
      .selectFrom('run_steps')
      .select(['attempt', 'status', 'error'])
      .where('run_id', '=', runId)
      .execute();
    expect(attempts.map((a) => [a.attempt, a.status, (a.error as { code?: string } | null)?.code])).toEqual([
      [1, 'FAILED', 'HTTP'],
    ]);
  }
  // One call per run: a crashed pass would have recovered and called again.
  expect([...receiver!.perKey.values()]).toEqual([1, 1]);
  expect(workers[0]!.child.exitCode).toBeNull();
  expect(workers[0]!.output()).not.toMatch(/Invalid time value|RangeError/);
}, 60_000);

it('a PNG, a JSON body with \\u0000 or a lone surrogate, and 10,000-deep JSON are each fetched once and end the run with a clear result', async () => {
  const workers: TWorkerProcess[] = [];
  onTestFailed(() => console.log(workerOutputs(workers)));
  const png = onePixelPng();
  const runIds = await startCallRuns({
    answers: {
      png: { status: 200, headers: { 'content-type': 'image/png' }, body: png },
      nul: { status: 200, body: '{"a":"x\\u0000y"}' },
      surrogate: { status: 200, body: '{"a":"\\ud800"}' },
      deep: { status: 200, body: `${'['.repeat(10_000)}${']'.repeat(10_000)}` },
    },
    retry: { maxAttempts: 3, initialDelayMs: 100, jitter: false },
    workers,
  });
  await untilAllTerminal(t.db, Object.values(runIds), 30_000);

  const result = async (name: string) => {
    const runId = runIds[name]!;
    const run = await t.db
      .selectFrom('runs')
      .select(['status', 'error', 'execution'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    const steps = await t.db
      .selectFrom('run_steps')
      .select(['path', 'attempt', 'status', 'output', 'error'])
      .where('run_id', '=', runId)
      .orderBy('started_at')
      .orderBy('path')
      .execute();
    return { run, steps };
  };

  // Binary: base64 with its content type, byte for byte.
  const binary = await result('png');
  expect(binary.run.status).toBe('SUCCEEDED');
  expect(binary.steps.map((s) => [s.path, s.attempt, s.status])).toEqual([
    ['steps[0]', 1, 'SUCCEEDED'],
    ['steps[1]', 1, 'SUCCEEDED'],
  ]);
  const pngOutput = binary.steps[0]!.output as {
    status: number;
    bodyEncoding: string;
    body: { base64: string; contentType: string };
  };
  expect(pngOutput).toMatchObject({ status: 200, bodyEncoding: 'base64', body: { contentType: 'image/png' } });
  expect(Buffer.from(pngOutput.body.base64, 'base64').equals(png)).toBe(true);
  expect(binary.steps[1]!.output).toEqual({ 'vars.encoding': 'base64' });

  // JSON that jsonb cannot hold: the text as received (its escapes intact), said to be text.
  for (const [name, text] of [
    ['nul', '{"a":"x\\u0000y"}'],
    ['surrogate', '{"a":"\\ud800"}'],
  ] as const) {
    const stored = await result(name);
    expect(stored.run.status).toBe('SUCCEEDED');
    expect(stored.steps.map((s) => [s.path, s.attempt, s.status])).toEqual([
      ['steps[0]', 1, 'SUCCEEDED'],
      ['steps[1]', 1, 'SUCCEEDED'],
    ]);
    expect(stored.steps[0]!.output).toMatchObject({ status: 200, bodyEncoding: 'text', body: text });
  }

  // Too deep to store at all: a final error naming the step, not a retry and not a crash.
  const deep = await result('deep');
  expect(deep.run.status).toBe('FAILED');
  expect(deep.steps.map((s) => [s.path, s.attempt, s.status])).toEqual([['steps[0]', 1, 'FAILED']]);
  expect(deep.run.error).toMatchObject({ code: 'VALIDATION', stepId: 'call', stepPath: 'steps[0]' });
  expect((deep.run.error as { message: string }).message).toMatch(/JSON body is nested deeper than 64 levels/);

  expect(Object.fromEntries([...receiver!.perKey].map(([key, n]) => [key.split(':')[0], n]))).toEqual(
    Object.fromEntries(Object.values(runIds).map((id) => [id, 1])),
  );
  expect(workers[0]!.child.exitCode).toBeNull();
}, 90_000);
