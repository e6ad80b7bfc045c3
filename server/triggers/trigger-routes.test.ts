import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as triggersRoute from '@/app/api/v1/workflows/[key]/triggers/route';
import * as triggerRoute from '@/app/api/v1/triggers/[id]/route';
import * as firingsRoute from '@/app/api/v1/triggers/[id]/firings/route';
import * as deliverRoute from '@/app/api/v1/events/route';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { getQueue } from '@/server/runtime/queue/run-queue';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { putSecret } from '@/server/secrets/put-secret';
import { createApiToken } from '@/server/tokens/create-api-token';
import { TRIGGER_SCHEDULE_QUEUE } from '@/server/triggers/sync-trigger-schedules';
import { auditRowsWrittenBy } from '@/test/audit';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let ctxA: TAuthContext;
const tokens = {} as Record<'admin' | 'operator' | 'editor' | 'viewer' | 'other', string>;

type THandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type TCall = { method?: string; path: string; token?: string; body?: unknown; params?: Record<string, string> };
async function call(handler: THandler, { method = 'GET', path, token, body, params = {} }: TCall) {
  const headers: Record<string, string> =
    token === undefined ? { 'sec-fetch-site': 'cross-site' } : { authorization: `Bearer ${token}` };
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
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}
const create = (key: string, body: unknown, token = tokens.editor) =>
  call(triggersRoute.POST, { method: 'POST', path: `/workflows/${key}/triggers`, token, body, params: { key } });
const list = (key: string, token = tokens.viewer) =>
  call(triggersRoute.GET, { path: `/workflows/${key}/triggers`, token, params: { key } });
const details = (json: Record<string, unknown> | null) =>
  (json?.error as { details?: { path: string; message: string }[] } | undefined)?.details;

beforeAll(async () => {
  t = await createTestDatabase('trigger_routes');
  process.env.DATABASE_URL = t.url;
  const a = await createTenantWithMember({ db: t.db, role: 'admin' });
  const b = await createTenantWithMember({ db: t.db, role: 'admin' });
  ctxA = a.ctx;
  for (const role of ['admin', 'operator', 'editor', 'viewer'] as const)
    tokens[role] = (await createApiToken({ db: t.db, ctx: a.ctx, input: { name: role, role } })).token;
  tokens.other = (await createApiToken({ db: t.db, ctx: b.ctx, input: { name: 'other', role: 'admin' } })).token;
  const parameterSchema = {
    type: 'object',
    required: ['orderId'],
    properties: { orderId: { type: 'string' }, total: { type: 'number' } },
  };
  await publishWorkflow({
    db: t.db,
    ctx: a.ctx,
    key: 'orders',
    document: {
      parameterSchema,
      steps: [
        { id: 'echo', type: 'transform.assign', config: { assign: { 'vars.id': { $expr: 'payload.orderId' } } } },
      ],
      output: { $expr: 'vars.id' },
    },
  });
  await putSecret({ db: t.db, ctx: a.ctx, input: { name: 'hook-secret', value: 'shh-shh' } });
});
afterAll(async () => {
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

describe('trigger routes', () => {
  it('creates, lists, disables and deletes triggers, each change audited', async () => {
    const { result: created, rows } = await auditRowsWrittenBy(t.db, ctxA.tenantId, () =>
      create('orders', { type: 'webhook', config: { secret: 'hook-secret', mode: 'sync' } }),
    );
    expect(created).toMatchObject({
      status: 201,
      json: {
        type: 'webhook',
        enabled: true,
        config: { secret: 'hook-secret', mode: 'sync', rateLimitPerMinute: 60 },
        url: expect.stringMatching(/\/api\/v1\/hooks\/pwh_[A-Za-z0-9_-]{43}$/),
      },
    });
    expect(rows.map((r) => [r.action, r.target_type, r.target_id])).toEqual([
      ['trigger.created', 'trigger', created.json!.id],
    ]);
    const id = created.json!.id as string;
    // The stored row holds a hash and a sealed copy, never the token in clear.
    const stored = await t.db.selectFrom('triggers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const token = String(created.json!.url).split('/hooks/')[1]!;
    expect(JSON.stringify(stored)).not.toContain(token);

    const listed = await list('orders', tokens.operator);
    expect((listed.json?.items as { id: string; url: string }[]).find((x) => x.id === id)?.url).toBe(created.json!.url);
    // The URL starts runs, so a viewer (who may not) sees the trigger without it.
    expect((await list('orders', tokens.viewer)).json?.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, url: null })]),
    );

    const patch = (token: string, enabled: boolean) =>
      call(triggerRoute.PATCH, { method: 'PATCH', path: `/triggers/${id}`, token, body: { enabled }, params: { id } });
    const disabled = await auditRowsWrittenBy(t.db, ctxA.tenantId, () => patch(tokens.editor, false));
    expect(disabled.result).toMatchObject({ status: 200, json: { id, enabled: false } });
    expect(disabled.rows.map((r) => r.action)).toEqual(['trigger.disabled']);
    const removed = await auditRowsWrittenBy(t.db, ctxA.tenantId, () =>
      call(triggerRoute.DELETE, { method: 'DELETE', path: `/triggers/${id}`, token: tokens.admin, params: { id } }),
    );
    expect(removed.result.status).toBe(204);
    expect(removed.rows.map((r) => r.action)).toEqual(['trigger.deleted']);
    expect(
      (
        await call(triggerRoute.DELETE, {
          method: 'DELETE',
          path: `/triggers/${id}`,
          token: tokens.admin,
          params: { id },
        })
      ).status,
    ).toBe(404);
  });

  it('answers 401 without a token, 403 to roles that may not design, 404 across tenants and for unknown ids', async () => {
    const body = { type: 'manual', config: {} };
    expect(
      (
        await call(triggersRoute.POST, {
          method: 'POST',
          path: '/workflows/orders/triggers',
          body,
          params: { key: 'orders' },
        })
      ).status,
    ).toBe(401);
    expect(
      (await call(triggersRoute.GET, { path: '/workflows/orders/triggers', params: { key: 'orders' } })).status,
    ).toBe(401);
    expect((await create('orders', body, tokens.viewer)).status).toBe(403);
    expect((await create('orders', body, tokens.operator)).status).toBe(403);
    expect((await create('orders', body, tokens.other)).status).toBe(404);
    expect((await list('orders', tokens.other)).status).toBe(404);
    expect((await create('nope', body)).status).toBe(404);
    const id = (await create('orders', body)).json!.id as string;
    for (const token of [tokens.viewer, tokens.operator]) {
      expect(
        (await call(triggerRoute.DELETE, { method: 'DELETE', path: `/triggers/${id}`, token, params: { id } })).status,
      ).toBe(403);
      expect(
        (
          await call(triggerRoute.PATCH, {
            method: 'PATCH',
            path: `/triggers/${id}`,
            token,
            body: { enabled: false },
            params: { id },
          })
        ).status,
      ).toBe(403);
    }
    expect(
      (
        await call(triggerRoute.DELETE, {
          method: 'DELETE',
          path: `/triggers/${id}`,
          token: tokens.other,
          params: { id },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(triggerRoute.PATCH, {
          method: 'PATCH',
          path: `/triggers/${id}`,
          token: tokens.other,
          body: { enabled: false },
          params: { id },
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(firingsRoute.GET, { path: `/triggers/${id}/firings`, token: tokens.other, params: { id } })).status,
    ).toBe(404);
    expect(
      (
        await call(triggerRoute.DELETE, {
          method: 'DELETE',
          path: '/triggers/not-a-uuid',
          token: tokens.admin,
          params: { id: 'not-a-uuid' },
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(triggerRoute.DELETE, { method: 'DELETE', path: `/triggers/${id}`, params: { id } })).status,
    ).toBe(401);
  });

  it('answers 422 naming every problem, and stores nothing', async () => {
    const before = await t.db
      .selectFrom('triggers')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const cases: Array<[unknown, string[]]> = [
      [{ type: 'cron', config: {} }, ['type']],
      [
        { type: 'schedule', config: { cron: '61 * * * *', timezone: 'Mars/Olympus' } },
        // No input: `{}` lacks the schema's required orderId.
        ['config.cron', 'config.input', 'config.timezone'],
      ],
      [{ type: 'schedule', config: { timezone: 'UTC' } }, ['config.cron']],
      // The fixed input is checked against the parameter schema it will meet (issue #18, bug 11).
      [
        { type: 'schedule', config: { cron: '* * * * *', input: { total: 'lots' } } },
        ['config.input', 'config.input.total'],
      ],
      [{ type: 'schedule', config: { cron: '* * * * *' } }, ['config.input']],
      [{ type: 'webhook', config: { secret: 'no-such-secret', mode: 'later' } }, ['config.mode']],
      [{ type: 'webhook', config: { secret: 'no-such-secret' } }, ['config.secret']],
      [{ type: 'webhook', config: { rateLimitPerMinute: 0 } }, ['config.rateLimitPerMinute']],
      [
        { type: 'event', config: { event: 'order.placed', filter: 'payload.(', input: '{' } },
        ['config.filter', 'config.input'],
      ],
      [{ type: 'manual', config: {}, version: 7 }, ['version']],
    ];
    for (const [body, paths] of cases) {
      const answer = await create('orders', body);
      expect(
        [
          answer.status,
          details(answer.json)
            ?.map((d) => d.path)
            .sort(),
        ],
        JSON.stringify(body),
      ).toEqual([422, paths]);
    }
    expect(
      details(
        (await create('orders', { type: 'schedule', config: { cron: '0 * * * *', timezone: 'Mars/Olympus' } })).json,
      )?.[0]?.message,
    ).toMatch(/"Mars\/Olympus" is not a known IANA time zone/);
    const refused = details(
      (await create('orders', { type: 'schedule', config: { cron: '* * * * *', input: { orderId: 7 } } })).json,
    );
    expect(refused).toEqual([
      expect.objectContaining({ path: 'config.input.orderId', message: expect.stringMatching(/must be string/) }),
    ]);
    const after = await t.db
      .selectFrom('triggers')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('registers a schedule with pg-boss in its time zone, lists its next five fire times, and takes it off when disabled or deleted', async () => {
    const created = await create('orders', {
      type: 'schedule',
      config: { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', input: { orderId: 'nightly' } },
    });
    expect(created.status).toBe(201);
    const id = created.json!.id as string;
    const times = created.json!.nextFireTimes as string[];
    expect(times).toHaveLength(5);
    for (const time of times)
      expect(
        new Intl.DateTimeFormat('en-GB', {
          timeZone: 'Europe/Berlin',
          hour: '2-digit',
          minute: '2-digit',
          weekday: 'short',
        }).format(new Date(time)),
      ).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    const boss = await getQueue();
    expect(await boss.getSchedule(TRIGGER_SCHEDULE_QUEUE, id)).toMatchObject({
      cron: '0 9 * * 1-5',
      timezone: 'Europe/Berlin',
      data: { triggerId: id },
    });
    await call(triggerRoute.PATCH, {
      method: 'PATCH',
      path: `/triggers/${id}`,
      token: tokens.editor,
      body: { enabled: false },
      params: { id },
    });
    expect(await boss.getSchedule(TRIGGER_SCHEDULE_QUEUE, id)).toBeNull();
    await call(triggerRoute.PATCH, {
      method: 'PATCH',
      path: `/triggers/${id}`,
      token: tokens.editor,
      body: { enabled: true },
      params: { id },
    });
    expect(await boss.getSchedule(TRIGGER_SCHEDULE_QUEUE, id)).not.toBeNull();
    await call(triggerRoute.DELETE, {
      method: 'DELETE',
      path: `/triggers/${id}`,
      token: tokens.editor,
      params: { id },
    });
    expect(await boss.getSchedule(TRIGGER_SCHEDULE_QUEUE, id)).toBeNull();
  });
});

describe('event triggers', () => {
  const deliver = (body: unknown) =>
    call(deliverRoute.POST, { method: 'POST', path: '/events', token: tokens.operator, body });

  it('start runs for matching events with the filter and input mapping, and the event records what it started', async () => {
    const big = (
      await create('orders', {
        type: 'event',
        config: {
          event: 'order.placed',
          filter: 'payload.total > 100',
          input: '{"orderId": payload.id, "total": payload.total}',
        },
      })
    ).json!.id as string;
    const every = (await create('orders', { type: 'event', config: { event: 'order.placed' } })).json!.id as string;
    const off = (await create('orders', { type: 'event', config: { event: 'order.placed' }, enabled: false })).json!
      .id as string;

    const small = await deliver({ event: 'order.placed', payload: { orderId: 'o-1', id: 'o-1', total: 5 } });
    expect(small).toMatchObject({ status: 200, json: { resumed: [], started: [expect.any(String)] } });
    const smallRun = await t.db
      .selectFrom('runs')
      .select(['input', 'trigger'])
      .where('id', '=', (small.json!.started as string[])[0]!)
      .executeTakeFirstOrThrow();
    expect(smallRun).toEqual({ input: { orderId: 'o-1', id: 'o-1', total: 5 }, trigger: { type: 'event', id: every } });

    const large = await deliver({
      event: 'order.placed',
      correlationKey: 'c-2',
      payload: { orderId: 'o-2', id: 'o-2', total: 500 },
    });
    const started = large.json!.started as string[];
    expect(started).toHaveLength(2);
    const runs = await t.db.selectFrom('runs').select(['id', 'input', 'trigger']).where('id', 'in', started).execute();
    expect(runs.find((r) => (r.trigger as { id: string }).id === big)?.input).toEqual({ orderId: 'o-2', total: 500 });
    const stored = await t.db
      .selectFrom('events')
      .select(['started', 'resumed'])
      .where('id', '=', large.json!.id as string)
      .executeTakeFirstOrThrow();
    expect([...stored.started].sort()).toEqual([...started].sort());
    expect((await t.db.selectFrom('trigger_firings').select('id').where('trigger_id', '=', off).execute()).length).toBe(
      0,
    );

    const firings = await call(firingsRoute.GET, {
      path: `/triggers/${big}/firings`,
      token: tokens.viewer,
      params: { id: big },
    });
    expect(firings.json?.items).toEqual([
      expect.objectContaining({
        outcome: 'started',
        runId: runs.find((r) => (r.trigger as { id: string }).id === big)?.id,
        eventId: large.json!.id,
      }),
    ]);
  });

  it('a mapping that fails or an input that does not fit starts nothing, is kept as a firing, and other triggers still start', async () => {
    const failing = (
      await create('orders', { type: 'event', config: { event: 'invoice.sent', input: '$error("boom")' } })
    ).json!.id as string;
    const unfit = (
      await create('orders', { type: 'event', config: { event: 'invoice.sent', input: '{"total": "lots"}' } })
    ).json!.id as string;
    const fine = (
      await create('orders', { type: 'event', config: { event: 'invoice.sent', input: '{"orderId": "x"}' } })
    ).json!.id as string;
    const answer = await deliver({ event: 'invoice.sent', payload: {} });
    expect(answer.json?.started).toHaveLength(1);
    const outcomes = await t.db
      .selectFrom('trigger_firings')
      .select(['trigger_id', 'outcome', 'message'])
      .where('trigger_id', 'in', [failing, unfit, fine])
      .execute();
    expect(outcomes.find((f) => f.trigger_id === failing)).toMatchObject({
      outcome: 'failed',
      message: expect.stringMatching(/^EXPRESSION: .*boom/),
    });
    expect(outcomes.find((f) => f.trigger_id === unfit)).toMatchObject({
      outcome: 'rejected',
      message: expect.stringMatching(/input\.orderId|required property 'orderId'/),
    });
    expect(outcomes.find((f) => f.trigger_id === fine)).toMatchObject({ outcome: 'started' });
  });
});
