import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as triggersRoute from '@/app/api/v1/workflows/[key]/triggers/route';
import * as triggerRoute from '@/app/api/v1/triggers/[id]/route';
import * as fireRoute from '@/app/api/v1/triggers/[id]/fire/route';
import * as listenRoute from '@/app/api/v1/triggers/[id]/listen/route';
import * as previewRoute from '@/app/api/v1/triggers/schedule-preview/route';
import * as hookRoute from '@/app/api/v1/hooks/[token]/route';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { putSecret } from '@/server/secrets/put-secret';
import { createApiToken } from '@/server/tokens/create-api-token';
import { signWebhookBody } from '@/server/triggers/verify-webhook-signature';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
const tokens = {} as Record<'editor' | 'operator' | 'viewer' | 'other', string>;

type THandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type TCall = {
  method?: string;
  path: string;
  token?: string;
  body?: unknown;
  params?: Record<string, string>;
  headers?: Record<string, string>;
  raw?: string;
};
async function call(handler: THandler, { method = 'GET', path, token, body, params = {}, headers = {}, raw }: TCall) {
  const all: Record<string, string> = { ...headers };
  if (token !== undefined) all.authorization = `Bearer ${token}`;
  if (body !== undefined || raw !== undefined) all['content-type'] = 'application/json';
  const response = await handler(
    new Request(`http://localhost/api/v1${path}`, {
      method,
      headers: all,
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    }),
    { params: Promise.resolve(params) },
  );
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}
const create = async (body: unknown) => {
  const answer = await call(triggersRoute.POST, {
    method: 'POST',
    path: '/workflows/reports/triggers',
    token: tokens.editor,
    body,
    params: { key: 'reports' },
  });
  expect(answer.status).toBe(201);
  return answer.json as { id: string; url?: string; config: Record<string, unknown> };
};
const patch = (id: string, body: unknown, token = tokens.editor) =>
  call(triggerRoute.PATCH, { method: 'PATCH', path: `/triggers/${id}`, token, body, params: { id } });
const details = (json: Record<string, unknown> | null) =>
  (json?.error as { details?: { path: string; message: string }[] } | undefined)?.details ?? [];
const auditOf = (id: string) =>
  t.db
    .selectFrom('audit_log')
    .select(['action', 'data', 'actor_label'])
    .where('target_id', '=', id)
    .orderBy('id')
    .execute();

beforeAll(async () => {
  t = await createTestDatabase('trigger_editing');
  process.env.DATABASE_URL = t.url;
  const a = await createTenantWithMember({ db: t.db, role: 'admin' });
  const b = await createTenantWithMember({ db: t.db, role: 'admin' });
  for (const role of ['editor', 'operator', 'viewer'] as const)
    tokens[role] = (await createApiToken({ db: t.db, ctx: a.ctx, input: { name: role, role } })).token;
  tokens.other = (await createApiToken({ db: t.db, ctx: b.ctx, input: { name: 'other', role: 'admin' } })).token;
  await publishWorkflow({
    db: t.db,
    ctx: a.ctx,
    key: 'reports',
    document: {
      parameterSchema: {
        type: 'object',
        required: ['period'],
        properties: { period: { type: 'string', enum: ['daily', 'weekly'] } },
      },
      steps: [{ id: 'note', type: 'transform.assign', config: { assign: { 'vars.p': { $expr: 'payload.period' } } } }],
    },
  });
  await putSecret({ db: t.db, ctx: a.ctx, input: { name: 'hook-secret', value: 'shh-shh' } });
});
afterAll(async () => {
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

describe('editing a trigger (PATCH /triggers/{id})', () => {
  it('changes a schedule in place: same id, new cron, next fire times, audit entry with before and after', async () => {
    const created = await create({
      type: 'schedule',
      config: { cron: '0 9 * * *', timezone: 'UTC', input: { period: 'daily' } },
    });
    const edited = await patch(created.id, {
      config: { cron: '30 6 * * 1', timezone: 'Europe/Berlin', input: { period: 'weekly' } },
    });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({
      id: created.id,
      config: { cron: '30 6 * * 1', timezone: 'Europe/Berlin', input: { period: 'weekly' } },
    });
    const times = edited.json!.nextFireTimes as string[];
    expect(times).toHaveLength(5);
    // 06:30 in Berlin on a Monday is 05:30 or 04:30 UTC (winter or summer time).
    for (const iso of times) {
      const date = new Date(iso);
      expect(date.getUTCDay()).toBe(1);
      expect(['05:30', '04:30']).toContain(iso.slice(11, 16));
    }
    const audit = await auditOf(created.id);
    expect(audit.map((row) => row.action)).toEqual(['trigger.created', 'trigger.updated']);
    expect(audit[1]!.data).toMatchObject({
      changed: ['config'],
      before: { cron: '0 9 * * *' },
      config: { cron: '30 6 * * 1' },
    });
  });

  it('refuses an edit like a creation: 422 naming each field, nothing stored changed', async () => {
    const created = await create({ type: 'schedule', config: { cron: '0 9 * * *', input: { period: 'daily' } } });
    const bad = await patch(created.id, {
      config: { cron: '61 * * *', timezone: 'Mars/Olympus', input: { period: 'hourly' } },
    });
    expect(bad.status).toBe(422);
    expect(
      details(bad.json)
        .map((d) => d.path)
        .sort(),
    ).toEqual(['config.cron', 'config.input.period', 'config.timezone']);
    const typeChange = await patch(created.id, { type: 'webhook', config: {} });
    expect(typeChange.status).toBe(422);
    expect(details(typeChange.json).map((d) => d.path)).toEqual(['type']);
    const unknownField = await patch(created.id, { config: { cron: '0 9 * * *', color: 'red' } });
    expect(unknownField.status).toBe(422);
    const nothing = await patch(created.id, {});
    expect(nothing.status).toBe(422);
    const notPublished = await patch(created.id, { version: 7 });
    expect([notPublished.status, details(notPublished.json)[0]?.path]).toEqual([422, 'version']);
    const row = await t.db
      .selectFrom('triggers')
      .select(['config', 'version'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ config: { cron: '0 9 * * *', timezone: 'UTC', input: { period: 'daily' } }, version: null });
  });

  it('keeps a webhook URL while its mode and secret change; a missing secret is named', async () => {
    const hook = await create({ type: 'webhook', config: {} });
    const edited = await patch(hook.id, { config: { mode: 'sync', secret: 'hook-secret', waitMs: 2000 } });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ url: hook.url, config: { mode: 'sync', secret: 'hook-secret', waitMs: 2000 } });
    const missing = await patch(hook.id, { config: { secret: 'no-such-secret' } });
    expect([missing.status, details(missing.json)[0]?.path]).toEqual([422, 'config.secret']);
  });

  it('edits an event trigger: a broken JSONata filter is refused at config.filter, a good one matches the new event', async () => {
    const created = await create({ type: 'event', config: { event: 'report.asked' } });
    const broken = await patch(created.id, { config: { event: 'report.wanted', filter: 'payload.(' } });
    expect([broken.status, details(broken.json)[0]?.path]).toEqual([422, 'config.filter']);
    const edited = await patch(created.id, { config: { event: 'report.wanted', filter: 'payload.urgent = true' } });
    expect(edited.status).toBe(200);
    const row = await t.db
      .selectFrom('triggers')
      .select('event')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.event).toBe('report.wanted');
  });

  it('only editors of the same tenant may edit', async () => {
    const created = await create({ type: 'event', config: { event: 'x.y' } });
    expect((await patch(created.id, { enabled: false }, tokens.viewer)).status).toBe(403);
    expect((await patch(created.id, { enabled: false }, tokens.operator)).status).toBe(403);
    expect((await patch(created.id, { enabled: false }, tokens.other)).status).toBe(404);
  });
});

describe('fire now and the next-fire preview', () => {
  it('starts one run with the schedule input, recorded as a firing and in the audit log', async () => {
    const created = await create({ type: 'schedule', config: { cron: '0 0 1 1 *', input: { period: 'weekly' } } });
    const fired = await call(fireRoute.POST, {
      method: 'POST',
      path: `/triggers/${created.id}/fire`,
      token: tokens.editor,
      params: { id: created.id },
    });
    expect(fired.status).toBe(202);
    const runId = fired.json!.runId as string;
    const run = await t.db
      .selectFrom('runs')
      .select(['input', 'trigger'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({ input: { period: 'weekly' }, trigger: { type: 'schedule', id: created.id } });
    const firings = await t.db
      .selectFrom('trigger_firings')
      .select(['outcome', 'run_id'])
      .where('trigger_id', '=', created.id)
      .execute();
    expect(firings).toEqual([{ outcome: 'started', run_id: runId }]);
    expect((await auditOf(created.id)).map((row) => [row.action, row.actor_label])).toEqual([
      ['trigger.created', 'token editor'],
      ['trigger.fired_now', 'token editor'],
    ]);
  });

  it('refuses to fire anything but a schedule (409), for a viewer (403), across tenants (404)', async () => {
    const event = await create({ type: 'event', config: { event: 'a.b' } });
    const fire = (id: string, token: string) =>
      call(fireRoute.POST, { method: 'POST', path: `/triggers/${id}/fire`, token, params: { id } });
    expect((await fire(event.id, tokens.editor)).status).toBe(409);
    const schedule = await create({ type: 'schedule', config: { cron: '0 0 1 1 *', input: { period: 'daily' } } });
    expect((await fire(schedule.id, tokens.viewer)).status).toBe(403);
    expect((await fire(schedule.id, tokens.other)).status).toBe(404);
  });

  it('previews the next five times of a cron in a time zone, and names a bad cron or zone', async () => {
    const preview = (query: string) =>
      call(previewRoute.GET, { path: `/triggers/schedule-preview?${query}`, token: tokens.viewer });
    const good = await preview('cron=0%209%20*%20*%201-5&timezone=America%2FNew_York');
    expect(good.status).toBe(200);
    const times = good.json!.times as string[];
    expect(times).toHaveLength(5);
    expect(times.every((iso) => ['13:00', '14:00'].includes(iso.slice(11, 16)))).toBe(true);
    const bad = await preview('cron=not%20a%20cron&timezone=Nowhere%2FLand');
    expect(bad.status).toBe(422);
    expect(
      details(bad.json)
        .map((d) => d.path)
        .sort(),
    ).toEqual(['cron', 'timezone']);
  });
});

describe('listening for a test webhook event', () => {
  const listen = (id: string, method: 'GET' | 'POST', token = tokens.editor) =>
    call(method === 'POST' ? listenRoute.POST : listenRoute.GET, {
      method,
      path: `/triggers/${id}/listen`,
      token,
      params: { id },
    });
  const deliver = (url: string, raw: string, headers: Record<string, string> = {}) => {
    const token = url.split('/').pop()!;
    return call(hookRoute.POST, { method: 'POST', path: `/hooks/${token}`, raw, headers, params: { token } });
  };

  it('shows the next request received with credentials masked and the signature verdict', async () => {
    const hook = await create({ type: 'webhook', config: { secret: 'hook-secret' } });
    expect((await listen(hook.id, 'GET')).json).toMatchObject({ status: 'idle', request: null });
    const started = await listen(hook.id, 'POST');
    expect(started.json).toMatchObject({ status: 'listening', request: null });
    const window = Date.parse(started.json!.expiresAt as string) - Date.parse(started.json!.startedAt as string);
    expect(window).toBe(120_000);

    const body = '{"period":"daily"}';
    const stamp = Math.floor(Date.now() / 1000);
    const answer = await deliver(hook.url!, body, {
      'pipewright-signature': `t=${stamp},v1=${signWebhookBody({ secret: 'wrong', timestamp: stamp, rawBody: body })}`,
      authorization: 'Bearer very-secret-value',
      'x-request-id': 'req-1',
      'x-pipewright-peer-address': '127.0.0.1',
    });
    expect(answer.status).toBe(401);
    const seen = await listen(hook.id, 'GET');
    expect(seen.json).toMatchObject({ status: 'captured', request: { method: 'POST', body, bytes: body.length } });
    const request = seen.json!.request as {
      headers: { name: string; value: string; masked: boolean }[];
      signature: { checked: boolean; ok: boolean | null; message: string };
    };
    expect(JSON.stringify(request)).not.toContain('very-secret-value');
    expect(request.headers.find((h) => h.name === 'authorization')).toMatchObject({ masked: true });
    expect(request.headers.find((h) => h.name === 'pipewright-signature')).toMatchObject({ masked: true });
    expect(request.headers.find((h) => h.name === 'x-request-id')).toEqual({
      name: 'x-request-id',
      value: 'req-1',
      masked: false,
    });
    expect(request.signature).toMatchObject({ checked: true, ok: false });
    // The web process's own peer-address note is not part of what the sender sent.
    expect(request.headers.map((h) => h.name)).not.toContain('x-pipewright-peer-address');

    // Only the first request is kept: a second one (correctly signed, so it starts a run) does not replace it.
    const good = signWebhookBody({ secret: 'shh-shh', timestamp: stamp, rawBody: body });
    expect((await deliver(hook.url!, body, { 'pipewright-signature': `t=${stamp},v1=${good}` })).status).toBe(202);
    expect(((await listen(hook.id, 'GET')).json!.request as { signature: { ok: boolean } }).signature.ok).toBe(false);
    // Listening again clears it and keeps the next one, which says the signature was good.
    await listen(hook.id, 'POST');
    const stamp2 = stamp + 1;
    const good2 = signWebhookBody({ secret: 'shh-shh', timestamp: stamp2, rawBody: body });
    expect((await deliver(hook.url!, body, { 'pipewright-signature': `t=${stamp2},v1=${good2}` })).status).toBe(202);
    expect(((await listen(hook.id, 'GET')).json!.request as { signature: { ok: boolean } }).signature.ok).toBe(true);
  });

  it('keeps nothing when nobody listens, expires a window, and sweeps old captures', async () => {
    const hook = await create({ type: 'webhook', config: {} });
    expect((await deliver(hook.url!, '{"period":"daily"}')).status).toBe(202);
    expect((await listen(hook.id, 'GET')).json).toMatchObject({ status: 'idle' });
    await listen(hook.id, 'POST');
    // The window's end moved into the past, as two minutes passing would.
    await t.db
      .updateTable('webhook_listens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('trigger_id', '=', hook.id)
      .execute();
    expect((await deliver(hook.url!, '{"period":"weekly"}')).status).toBe(202);
    expect((await listen(hook.id, 'GET')).json).toMatchObject({ status: 'expired', request: null });
    await t.db
      .updateTable('webhook_listens')
      .set({ expires_at: new Date(Date.now() - 11 * 60_000) })
      .where('trigger_id', '=', hook.id)
      .execute();
    expect((await listen(hook.id, 'GET')).json).toMatchObject({ status: 'idle' });
    expect(
      await t.db.selectFrom('webhook_listens').select('trigger_id').where('trigger_id', '=', hook.id).execute(),
    ).toEqual([]);
  });

  it('is for editors of the tenant, and only for webhooks', async () => {
    const hook = await create({ type: 'webhook', config: {} });
    expect((await listen(hook.id, 'POST', tokens.viewer)).status).toBe(403);
    expect((await listen(hook.id, 'POST', tokens.other)).status).toBe(404);
    const schedule = await create({ type: 'schedule', config: { cron: '0 0 1 1 *', input: { period: 'daily' } } });
    expect((await listen(schedule.id, 'POST')).status).toBe(409);
  });
});
