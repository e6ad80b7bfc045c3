import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as alertsRoute from '@/app/api/v1/alerts/route';
import * as alertRoute from '@/app/api/v1/alerts/[id]/route';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { evaluateAlerts } from '@/server/alerts/evaluate-alerts';
import { updateWorkflow } from '@/server/workflows/update-workflow';
import { verifyWebhookSignature } from '@/server/triggers/verify-webhook-signature';
import { startLoopbackServer, type TLoopbackServer } from '@/server/security/loopback-test-server';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let a: TAuthContext;
let receiver: TLoopbackServer;
const tokens = {} as Record<'editor' | 'viewer' | 'other', string>;

async function call(
  handler: (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>,
  {
    method = 'GET',
    path,
    token,
    body,
    params = {},
  }: { method?: string; path: string; token: string; body?: unknown; params?: Record<string, string> },
) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await handler(
    new Request(`http://localhost/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    { params: Promise.resolve(params) },
  );
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : null) as Record<string, unknown> | null };
}
const detailPaths = (json: Record<string, unknown> | null) =>
  ((json?.error as { details?: { path: string }[] } | undefined)?.details ?? []).map((d) => d.path);

async function run(key: string, fail: boolean) {
  const { runId } = await startRun({
    tenantId: a.tenantId,
    workflowKey: key,
    input: { fail },
    trigger: { type: 'api' },
  });
  return { runId, status: await driveRun({ db: t.db, runId }) };
}

beforeAll(async () => {
  t = await createTestDatabase('alerts');
  process.env.DATABASE_URL = t.url;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  receiver = await startLoopbackServer('127.0.0.1', (_hit, response) => {
    response.writeHead(204);
    response.end();
  });
  a = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  const b = await createTenantWithMember({ db: t.db, role: 'admin' });
  tokens.editor = (await createApiToken({ db: t.db, ctx: a, input: { name: 'e', role: 'editor' } })).token;
  tokens.viewer = (await createApiToken({ db: t.db, ctx: a, input: { name: 'v', role: 'viewer' } })).token;
  tokens.other = (await createApiToken({ db: t.db, ctx: b.ctx, input: { name: 'o', role: 'admin' } })).token;
  await publishWorkflow({
    db: t.db,
    ctx: a,
    key: 'flaky',
    document: {
      steps: [
        {
          id: 'check',
          type: 'control.if',
          config: {
            condition: { $expr: 'payload.fail' },
            then: [{ id: 'boom', type: 'control.fail', config: { code: 'FLAKY', message: 'it failed' } }],
          },
        },
      ],
    },
  });
});
afterAll(async () => {
  delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  await receiver.close();
  await closeExpressionPool();
  await t.close();
});

describe('alert rules (SPEC §8)', () => {
  it('refuses rules that cannot work with 422 naming the field, an unknown workflow with 404, viewers with 403', async () => {
    const post = (body: unknown, token = tokens.editor) =>
      call(alertsRoute.POST, { method: 'POST', path: '/alerts', token, body });
    const notify = { webhookUrl: receiver.origin };
    expect(detailPaths((await post({ kind: 'failureRate', notify })).json)).toContain('threshold');
    expect(detailPaths((await post({ kind: 'stuck', notify })).json)).toContain('afterMs');
    expect(detailPaths((await post({ kind: 'queueAge', afterMs: 60_000, notify: {} })).json)).toContain('notify');
    expect(
      detailPaths((await post({ kind: 'queueAge', afterMs: 60_000, notify, pauseWorkflow: true })).json),
    ).toContain('pauseWorkflow');
    expect(detailPaths((await post({ kind: 'queueAge', afterMs: 60_000, notify: { email: 'nope' } })).json)).toContain(
      'notify.email',
    );
    expect((await post({ kind: 'queueAge', afterMs: 60_000, notify: { webhookUrl: 'ftp://x' } })).status).toBe(422);
    expect((await post({ kind: 'queueAge', afterMs: 60_000, notify, workflow: 'missing' })).status).toBe(404);
    expect((await post({ kind: 'queueAge', afterMs: 60_000, notify }, tokens.viewer)).status).toBe(403);
    expect((await call(alertsRoute.GET, { path: '/alerts', token: tokens.viewer })).json?.items).toEqual([]);
  });

  it('failureRate fires once per window, delivered signed to the webhook and to the outbox, pauses the workflow, then resolves', async () => {
    const created = await call(alertsRoute.POST, {
      method: 'POST',
      path: '/alerts',
      token: tokens.editor,
      body: {
        kind: 'failureRate',
        workflow: 'flaky',
        threshold: 0.5,
        minRuns: 3,
        windowMs: 600_000,
        notify: { webhookUrl: `${receiver.origin}/alerts`, email: 'ops@example.com' },
        pauseWorkflow: true,
      },
    });
    expect(created.status).toBe(201);
    const { rule, signingSecret } = created.json as { rule: { id: string }; signingSecret: string };
    expect(signingSecret).toMatch(/^whsec_/);
    // The key is shown once: listing the rules does not show it.
    expect(JSON.stringify((await call(alertsRoute.GET, { path: '/alerts', token: tokens.editor })).json)).not.toContain(
      signingSecret,
    );

    expect((await run('flaky', true)).status).toBe('FAILED');
    expect((await run('flaky', true)).status).toBe('FAILED');
    // Two ended runs: under minRuns, nothing fires yet.
    expect((await evaluateAlerts({ db: t.db })).fired).toEqual([]);
    expect((await run('flaky', false)).status).toBe('SUCCEEDED');

    const first = await evaluateAlerts({ db: t.db });
    expect(first.fired).toHaveLength(1);
    expect(receiver.hits).toHaveLength(1);
    const hit = receiver.hits[0]!;
    expect(hit.url).toBe('/alerts');
    expect(hit.headers['idempotency-key']).toBe(`alert:${first.fired[0]}`);
    const signature = verifyWebhookSignature({
      header: String(hit.headers['pipewright-signature']),
      secret: signingSecret,
      rawBody: Buffer.from(hit.body),
    });
    expect(signature.ok).toBe(true);
    const payload = JSON.parse(hit.body) as {
      type: string;
      alert: { kind: string; workflow: string; summary: string };
    };
    expect(payload).toMatchObject({ type: 'pipewright.alert', alert: { kind: 'failureRate', workflow: 'flaky' } });
    expect(payload.alert.summary).toMatch(/^2 of 3 runs of workflow flaky failed/);
    const mail = await t.db
      .selectFrom('email_messages')
      .select(['to_addresses', 'subject', 'delivery'])
      .where('idempotency_key', '=', `alert:${first.fired[0]}`)
      .executeTakeFirstOrThrow();
    expect(mail).toMatchObject({ to_addresses: ['ops@example.com'], delivery: 'outbox' });
    expect(mail.subject).toContain('2 of 3 runs');

    // At most once per window, however often the evaluator looks.
    expect((await evaluateAlerts({ db: t.db })).fired).toEqual([]);
    expect((await evaluateAlerts({ db: t.db })).fired).toEqual([]);
    expect(receiver.hits).toHaveLength(1);

    // pauseWorkflow: new runs are held QUEUED until the flag is cleared.
    const workflow = await t.db
      .selectFrom('workflows')
      .select('paused')
      .where('key', '=', 'flaky')
      .executeTakeFirstOrThrow();
    expect(workflow.paused).toBe(true);
    const held = await run('flaky', false);
    expect(held.status).toBe('QUEUED');
    const cleared = await updateWorkflow({ db: t.db, ctx: a, input: { key: 'flaky', paused: false } });
    expect(cleared.paused).toBe(false);
    expect(await driveRun({ db: t.db, runId: held.runId })).toBe('SUCCEEDED');

    // The failures leave the window: the alert resolves.
    await sql`UPDATE runs SET completed_at = now() - interval '1 hour' WHERE workflow_key = 'flaky'`.execute(t.db);
    expect((await evaluateAlerts({ db: t.db })).resolved).toBe(1);
    const listed = await call(alertsRoute.GET, { path: '/alerts?workflow=flaky', token: tokens.viewer });
    const fired = listed.json?.fired as { ruleId: string; resolvedAt: string | null }[];
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ ruleId: rule.id });
    expect(fired[0]!.resolvedAt).not.toBeNull();
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('tenant_id', '=', a.tenantId)
      .where('action', 'like', 'alert.%')
      .orderBy('created_at')
      .execute();
    expect(audit.map((row) => row.action)).toEqual(['alert.created', 'alert.fired', 'alert.resolved']);

    // Another tenant sees none of it, and cannot delete it.
    expect((await call(alertsRoute.GET, { path: '/alerts', token: tokens.other })).json).toMatchObject({
      items: [],
      fired: [],
    });
    const del = (token: string) =>
      call(alertRoute.DELETE, { method: 'DELETE', path: `/alerts/${rule.id}`, token, params: { id: rule.id } });
    expect((await del(tokens.other)).status).toBe(404);
    expect((await del(tokens.editor)).status).toBe(204);
    expect((await call(alertsRoute.GET, { path: '/alerts', token: tokens.editor })).json?.items).toEqual([]);
  });

  it('queueAge fires for a run queued too long, and one evaluator at a time', async () => {
    const created = await call(alertsRoute.POST, {
      method: 'POST',
      path: '/alerts',
      token: tokens.editor,
      body: { kind: 'queueAge', afterMs: 60_000, notify: { webhookUrl: `${receiver.origin}/queue` } },
    });
    expect(created.status).toBe(201);
    const { runId } = await startRun({
      tenantId: a.tenantId,
      workflowKey: 'flaky',
      input: {},
      trigger: { type: 'api' },
    });
    expect((await evaluateAlerts({ db: t.db })).fired).toEqual([]);
    await sql`UPDATE runs SET created_at = now() - interval '5 minutes' WHERE id = ${runId}`.execute(t.db);
    const [one, two] = await Promise.all([evaluateAlerts({ db: t.db }), evaluateAlerts({ db: t.db })]);
    expect([...one.fired, ...two.fired]).toHaveLength(1);
    const hits = receiver.hits.filter((hit) => hit.url === '/queue');
    expect(hits).toHaveLength(1);
    expect(
      (JSON.parse(hits[0]!.body) as { alert: { details: { oldestRunId: string } } }).alert.details.oldestRunId,
    ).toBe(runId);
  });
});
