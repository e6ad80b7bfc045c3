import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { startLoopbackServer, type TLoopbackServer } from '@/server/security/loopback-test-server';
import { closeTraceExport, exportRunTraces } from '@/server/tracing/export-run-traces';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

type TOtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number };
};

let t: TTestDatabase;
let api: TLoopbackServer;
let collector: http.Server;
const received: TOtlpSpan[] = [];
const paths: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase('traces');
  process.env.DATABASE_URL = t.url;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  // A loopback OTLP/HTTP receiver: JSON ExportTraceServiceRequest bodies on /v1/traces.
  collector = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      paths.push(`${request.method} ${request.url} ${request.headers['content-type']}`);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { scopeSpans: { spans: TOtlpSpan[] }[] }[];
      };
      for (const resource of body.resourceSpans) for (const scope of resource.scopeSpans) received.push(...scope.spans);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  let calls = 0;
  api = await startLoopbackServer('127.0.0.1', (_hit, response) => {
    calls += 1;
    response.writeHead(calls === 1 ? 503 : 200, { 'content-type': 'application/json', 'retry-after': '0' });
    response.end('{"ok":true}');
  });
});
afterAll(async () => {
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  await closeTraceExport();
  await api.close();
  await new Promise((resolve) => collector.close(resolve));
  await closeExpressionPool();
  await t.close();
});

const attr = (span: TOtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

it('exports a span per run, per step and per attempt over OTLP/HTTP, and the call carried the step span as traceparent', async () => {
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'admin' });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'child',
    document: { steps: [{ id: 'set', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
  });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'traced',
    document: {
      steps: [
        {
          id: 'call',
          type: 'action.call',
          retry: { maxAttempts: 3, initialDelayMs: 10, backoffCoefficient: 1, maxDelayMs: 10, jitter: false },
          config: { action: 'http.request', version: 1, input: { method: 'GET', url: `${api.origin}/thing` } },
        },
        { id: 'sub', type: 'control.callWorkflow', config: { workflow: 'child', input: {} } },
      ],
    },
  });
  const { runId } = await startRun({
    tenantId: ctx.tenantId,
    workflowKey: 'traced',
    input: {},
    trigger: { type: 'api' },
  });
  expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
  const child = (
    await t.db.selectFrom('runs').select('id').where('parent_run_id', '=', runId).executeTakeFirstOrThrow()
  ).id;
  expect(await driveRun({ db: t.db, runId: child })).toBe('SUCCEEDED');
  expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');

  expect(await exportRunTraces({ db: t.db, lagMs: 0 })).toBe(2);
  expect(paths.every((p) => p.startsWith('POST /v1/traces application/json'))).toBe(true);
  const traceId = runId.replace(/-/g, '');
  const ofRun = received.filter((span) => span.traceId === traceId);
  const runSpan = ofRun.find((span) => span.name === 'run traced')!;
  expect(runSpan).toBeDefined();
  expect(runSpan.parentSpanId ?? '').toBe('');
  expect(attr(runSpan, 'pipewright.run_id')).toBe(runId);
  const callSpan = ofRun.find((span) => span.name === 'action.call call')!;
  expect(callSpan.parentSpanId).toBe(runSpan.spanId);
  expect(attr(callSpan, 'pipewright.attempts')).toBe(2);
  const attempts = ofRun.filter((span) => span.parentSpanId === callSpan.spanId);
  expect(attempts.map((span) => span.name).sort()).toEqual(['attempt 1', 'attempt 2']);
  expect(attempts.find((span) => span.name === 'attempt 1')!.status?.code).toBe(2); // ERROR: the 503
  // Each call carried the step's span as its parent: the receiver's work joins this trace.
  expect(api.hits).toHaveLength(2);
  for (const hit of api.hits) expect(hit.headers.traceparent).toBe(`00-${traceId}-${callSpan.spanId}-01`);
  // The run span covers the whole run, through its wait for the child.
  expect(BigInt(runSpan.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(callSpan.endTimeUnixNano));
  // The child run has its own trace, linked to its parent's run span.
  const childSpan = received.find((span) => span.traceId === child.replace(/-/g, '') && span.name === 'run child')!;
  expect(childSpan.links).toEqual([expect.objectContaining({ traceId, spanId: runSpan.spanId })]);

  // Exported once: the next pass has nothing new.
  const before = received.length;
  expect(await exportRunTraces({ db: t.db, lagMs: 0 })).toBe(0);
  expect(received.length).toBe(before);
});

it('without OTEL_EXPORTER_OTLP_ENDPOINT nothing is traced: no traceparent, no export', async () => {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  try {
    const { traceparentFor } = await import('@/server/tracing/trace-ids');
    expect(traceparentFor({ runId: '0f9a1c2e-1111-4222-8333-444455556666', stepPath: 'steps[0]' })).toBeUndefined();
    expect(await exportRunTraces({ db: t.db, lagMs: 0 })).toBe(0);
  } finally {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
  }
});
