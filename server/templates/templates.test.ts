import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { startLoopbackSmtpServer, type TLoopbackSmtpServer } from '@/server/email/loopback-smtp-server';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { completeTask } from '@/server/tasks/complete-task';
import { importTemplate } from '@/server/templates/import-template';
import { WORKFLOW_TEMPLATES, findTemplate, summariseTemplate } from '@/server/templates/workflow-templates';
import { getVersion } from '@/server/workflows/get-version';
import { publishVersion } from '@/server/workflows/publish-version';
import { saveDraft } from '@/server/workflows/save-draft';
import { AppError } from '@/model/errors';
import * as templatesRoute from '@/app/api/v1/templates/route';
import * as importRoute from '@/app/api/v1/templates/[id]/import/route';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun } from '@/test/runtime';

// Every outside party is real and on loopback: an HTTP server standing in for the order,
// report and customer APIs, and an SMTP server (smtp-server) receiving the emails.
let t: TTestDatabase;
let ctx: TAuthContext;
let api: Server;
let apiUrl: string;
let smtp: TLoopbackSmtpServer;
const requests: string[] = [];
let customerFailuresLeft = 2;
const savedEnv = {
  SMTP_URL: process.env.SMTP_URL,
  SMTP_FROM: process.env.SMTP_FROM,
  PIPEWRIGHT_EGRESS_ALLOW: process.env.PIPEWRIGHT_EGRESS_ALLOW,
};

async function bodyOf(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

beforeAll(async () => {
  t = await createTestDatabase('templates');
  process.env.DATABASE_URL = t.url;
  // An admin may answer any task (the invoice's is assigned to operators).
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  api = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const body = await bodyOf(request);
      requests.push(`${request.method} ${url.pathname}`);
      const json = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (request.method === 'POST' && url.pathname === '/inventory/reservations')
        return json(201, { reservationId: `R-${String(body.orderId)}` });
      if (request.method === 'POST' && url.pathname === '/payments')
        return json(200, { status: String(body.orderId).includes('DECLINE') ? 'declined' : 'paid' });
      if (request.method === 'DELETE' && url.pathname.startsWith('/inventory/reservations/')) return json(200, {});
      if (request.method === 'GET' && url.pathname === '/sales')
        return json(200, { period: url.searchParams.get('period'), orders: [{ amount: 10 }, { amount: 32.5 }] });
      if (request.method === 'GET' && url.pathname === '/customers/C-100') {
        if (customerFailuresLeft-- > 0) return json(503, { error: 'try later' });
        return json(200, { id: 'C-100', name: 'Ada Lovelace' });
      }
      return json(404, { error: 'no such route' });
    })();
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  smtp = await startLoopbackSmtpServer('127.0.0.1');
  process.env.SMTP_URL = smtp.url;
  process.env.SMTP_FROM = 'Pipewright <robot@pipewright.test>';
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
});
afterAll(async () => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await smtp.close();
  await new Promise((resolve) => api.close(resolve));
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

/** Imports a template, points its env at the loopback servers, publishes it and starts it on an input. */
async function importAndStart(id: string, input?: Record<string, unknown>) {
  const template = findTemplate(id)!;
  const imported = await importTemplate({ db: t.db, ctx, input: { id } });
  expect(imported.problems).toEqual([]);
  const draft = await getVersion({ db: t.db, ctx, input: { key: imported.key, version: imported.version } });
  const vars = Object.fromEntries(
    Object.entries(template.document.env.vars).map(([name, value]) => [
      name,
      name.endsWith('_URL') ? apiUrl : name.endsWith('EMAIL') || name.endsWith('_TO') ? 'ops@example.com' : value,
    ]),
  );
  const { version: _v, status: _s, ...document } = draft.document as Record<string, unknown>;
  const saved = await saveDraft({
    db: t.db,
    ctx,
    input: { key: imported.key, document: { ...document, env: { ...template.document.env, vars } } as never },
  });
  await publishVersion({ db: t.db, ctx, input: { key: imported.key, version: saved.version } });
  const { runId } = await startRun({
    tenantId: ctx.tenantId,
    workflowKey: imported.key,
    input: input ?? template.sampleInput,
    trigger: { type: 'api' },
  });
  return { runId, key: imported.key };
}
const outputOf = async (runId: string) =>
  (await t.db.selectFrom('runs').select(['output', 'status']).where('id', '=', runId).executeTakeFirstOrThrow())
    .output as Record<string, unknown>;

describe('the templates gallery', () => {
  it('has the six workflows SPEC §9 names, each a data file that passes the publish check', () => {
    expect(WORKFLOW_TEMPLATES.map((template) => template.id)).toEqual([
      'invoice-approval',
      'webhook-to-email',
      'order-saga',
      'scheduled-report',
      'event-fan-out',
      'api-with-retries',
    ]);
    expect(summariseTemplate(findTemplate('order-saga')!).nodeTypes).toEqual(
      expect.arrayContaining(['control.tryCatch', 'action.call', 'control.if', 'control.fail']),
    );
    expect(summariseTemplate(findTemplate('event-fan-out')!).nodeTypes).toContain('control.forEach');
  });

  it('imports as a new draft, and a second import gets a suffixed key instead of replacing the first', async () => {
    const first = await importTemplate({ db: t.db, ctx, input: { id: 'webhook-to-email' } });
    const second = await importTemplate({ db: t.db, ctx, input: { id: 'webhook-to-email' } });
    expect([first.key, second.key]).toEqual(['webhook-to-email', 'webhook-to-email-2']);
    expect([first.createdWorkflow, second.createdWorkflow, first.version]).toEqual([true, true, 1]);
    const workflow = await t.db
      .selectFrom('workflows')
      .select(['name'])
      .where('tenant_id', '=', ctx.tenantId)
      .where('key', '=', second.key)
      .executeTakeFirstOrThrow();
    expect(workflow.name).toBe('Webhook to email (2)');
    const versions = await t.db
      .selectFrom('workflow_versions as v')
      .innerJoin('workflows as w', 'w.id', 'v.workflow_id')
      .select(['v.status'])
      .where('w.key', '=', first.key)
      .execute();
    expect(versions).toEqual([{ status: 'draft' }]);
    const error = await importTemplate({ db: t.db, ctx, input: { id: 'no-such-template' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('NOT_FOUND');
  });
});

describe('each template runs to success', () => {
  it('invoice approval: a small invoice is approved on its own; a large one waits for an operator', async () => {
    const small = await importAndStart('invoice-approval', { invoiceId: 'INV-1', vendor: 'Acme', amount: 120 });
    expect(await driveRun({ db: t.db, runId: small.runId })).toBe('SUCCEEDED');
    expect(await outputOf(small.runId)).toMatchObject({
      decision: 'approve',
      decidedBy: 'automatic (under the limit)',
    });

    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: small.key,
      input: { invoiceId: 'INV-2', vendor: 'Acme', amount: 9000 },
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
    const task = await t.db
      .selectFrom('tasks')
      .select(['id', 'title'])
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(task.title).toBe('Approve invoice INV-2 from Acme');
    await completeTask({
      db: t.db,
      ctx,
      input: { id: task.id, outcome: 'approve', data: { comment: 'ok' } },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(await outputOf(runId)).toMatchObject({ invoiceId: 'INV-2', decision: 'approve' });
  });

  it('webhook to email: the message reaches the SMTP server', async () => {
    const before = smtp.messages.length;
    const { runId } = await importAndStart('webhook-to-email');
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(smtp.messages.length).toBe(before + 1);
    expect(smtp.messages.at(-1)!.raw).toContain('Subject: New message from Dana Scully');
    expect(smtp.messages.at(-1)!.to).toEqual(['ops@example.com']);
  });

  it('order saga: a paid order completes; a declined payment releases the reservation in the catch', async () => {
    const paid = await importAndStart('order-saga');
    expect(await driveRun({ db: t.db, runId: paid.runId })).toBe('SUCCEEDED');
    expect(await outputOf(paid.runId)).toMatchObject({ orderId: 'ORD-77', outcome: 'completed' });
    requests.length = 0;
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: paid.key,
      input: { orderId: 'ORD-DECLINE', sku: 'BOOK-1', quantity: 1, amount: 5 },
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(await outputOf(runId)).toMatchObject({ outcome: 'compensated', reason: 'The payment was declined' });
    expect(requests).toEqual([
      'POST /inventory/reservations',
      'POST /payments',
      'DELETE /inventory/reservations/R-ORD-DECLINE',
    ]);
  });

  it('scheduled report: fetches the figures and emails the total', async () => {
    const { runId } = await importAndStart('scheduled-report');
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(await outputOf(runId)).toEqual({ period: 'daily', orders: 2, total: 42.5 });
    expect(smtp.messages.at(-1)!.raw).toContain('Subject: Sales report (daily): 42.5');
  });

  it('event fan-out: one item.ordered event per line, correlated by SKU', async () => {
    const { runId } = await importAndStart('event-fan-out');
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(await outputOf(runId)).toEqual({ orderId: 'ORD-9', emitted: ['A-1', 'B-2'] });
    const events = await t.db
      .selectFrom('events')
      .select(['event', 'correlation_key', 'payload'])
      .where('tenant_id', '=', ctx.tenantId)
      .orderBy('correlation_key')
      .execute();
    expect(events).toEqual([
      {
        event: 'item.ordered',
        correlation_key: 'A-1',
        payload: { orderId: 'ORD-9', sku: 'A-1', quantity: 1, line: 1 },
      },
      {
        event: 'item.ordered',
        correlation_key: 'B-2',
        payload: { orderId: 'ORD-9', sku: 'B-2', quantity: 3, line: 2 },
      },
    ]);
  });

  it('call an API with retries: two 503s are retried, the third answer is used', async () => {
    customerFailuresLeft = 2;
    const { runId } = await importAndStart('api-with-retries');
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(await outputOf(runId)).toEqual({ id: 'C-100', name: 'Ada Lovelace', status: 200 });
    const attempts = await t.db
      .selectFrom('run_steps')
      .select(['attempt', 'status'])
      .where('run_id', '=', runId)
      .orderBy('attempt')
      .execute();
    expect(attempts.map((step) => step.status)).toEqual(['FAILED', 'FAILED', 'SUCCEEDED']);
  });
});

describe('the templates API', () => {
  it('lists the gallery for readers and imports for editors only, 404 for an unknown template', async () => {
    const token = async (role: 'viewer' | 'editor') =>
      (await createApiToken({ db: t.db, ctx, input: { name: `api-${role}`, role } })).token;
    const [viewer, editor] = [await token('viewer'), await token('editor')];
    const call = (
      handler: typeof importRoute.POST,
      path: string,
      bearer: string,
      params: Record<string, string> = {},
    ) =>
      handler(
        new Request(`http://localhost/api/v1${path}`, {
          method: handler === importRoute.POST ? 'POST' : 'GET',
          headers: { authorization: `Bearer ${bearer}` },
        }),
        { params: Promise.resolve(params) },
      );
    const listed = await call(templatesRoute.GET, '/templates', viewer);
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { items: { id: string }[] }).items).toHaveLength(6);
    const refused = await call(importRoute.POST, '/templates/event-fan-out/import', viewer, { id: 'event-fan-out' });
    expect(refused.status).toBe(403);
    const imported = await call(importRoute.POST, '/templates/event-fan-out/import', editor, { id: 'event-fan-out' });
    expect(imported.status).toBe(201);
    expect(((await imported.json()) as { key: string; problems: unknown[] }).problems).toEqual([]);
    const unknown = await call(importRoute.POST, '/templates/nope/import', editor, { id: 'nope' });
    expect(unknown.status).toBe(404);
  });
});
