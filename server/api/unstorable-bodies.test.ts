import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as deliverRoute from '@/app/api/v1/events/route';
import * as hookRoute from '@/app/api/v1/hooks/[token]/route';
import * as resumeRoute from '@/app/api/v1/runs/[id]/resume/route';
import * as completeRoute from '@/app/api/v1/tasks/[id]/complete/route';
import * as startRoute from '@/app/api/v1/workflows/[key]/runs/route';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTrigger } from '@/server/triggers/create-trigger';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

/**
 * JSON that PostgreSQL cannot store (a string or key with \u0000, a lone surrogate, or
 * nesting deeper than 64 levels) arriving through the API: a 422 naming the field, never
 * the 500 the database's refusal used to become, and nothing half-written.
 */

type THandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

let t: TTestDatabase;
let ctx: TAuthContext;
let token: string;

/** Sends `raw` as the body text exactly (JSON.stringify would escape nothing we do not mean). */
async function post(handler: THandler, path: string, raw: string, params: Record<string, string> = {}) {
  const response = await handler(
    new Request(`http://localhost/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: raw,
    }),
    { params: Promise.resolve(params) },
  );
  const text = await response.text();
  return {
    status: response.status,
    json: text
      ? (JSON.parse(text) as { error?: { code: string; message: string; details?: Array<{ path: string }> } })
      : null,
  };
}

const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;

beforeAll(async () => {
  t = await createTestDatabase('unstorable_bodies');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  token = (await createApiToken({ db: t.db, ctx, input: { name: 'admin', role: 'admin' } })).token;
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'open',
    document: {
      steps: [{ id: 'note', type: 'transform.assign', config: { assign: { 'vars.in': { $expr: 'payload' } } } }],
    },
  });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'approval',
    document: {
      steps: [
        {
          id: 'ok',
          type: 'human.task',
          config: {
            title: 'OK?',
            form: { type: 'object', properties: { why: { type: 'string' } } },
            outcomes: ['yes'],
            assignee: { role: 'admin' },
          },
        },
      ],
    },
  });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'waiter',
    document: { steps: [{ id: 'paid', type: 'event.wait', config: { event: 'order.paid', saveAs: 'vars.paid' } }] },
  });
});
afterAll(async () => {
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

describe('bodies the database cannot store', () => {
  it('POST /events: 422 naming the field for \\u0000 in a value or key, a lone surrogate, or 10,000-deep JSON; no event kept', async () => {
    for (const [raw, path] of [
      ['{"event":"order.paid","payload":{"note":"a\\u0000b"}}', 'body.payload.note'],
      ['{"event":"order.paid","payload":{"k\\u0000":1}}', 'body.payload'],
      ['{"event":"order.paid","correlationKey":"\\ud800"}', 'body.correlationKey'],
      [`{"event":"order.paid","payload":${deep}}`, 'body.payload'],
    ] as const) {
      const response = await post(deliverRoute.POST, '/events', raw);
      expect(response.status, raw.slice(0, 60)).toBe(422);
      expect(response.json?.error).toMatchObject({
        code: 'VALIDATION',
        details: [{ path: expect.stringMatching(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}`)) }],
      });
    }
    expect(await t.db.selectFrom('events').select('id').execute()).toEqual([]);
    // The same event without the NUL is delivered as usual.
    expect((await post(deliverRoute.POST, '/events', '{"event":"order.paid","payload":{"note":"ab"}}')).status).toBe(
      200,
    );
  });

  it('POST /workflows/{key}/runs: 422 for an input with \\u0000, and no run', async () => {
    const response = await post(startRoute.POST, '/workflows/open/runs', '{"input":{"name":"x\\u0000y"}}', {
      key: 'open',
    });
    expect(response.status).toBe(422);
    expect(response.json?.error).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('body.input.name contains the NUL character'),
      details: [{ path: 'body.input.name' }],
    });
    expect(await t.db.selectFrom('runs').select('id').execute()).toEqual([]);
  });

  it('POST /tasks/{id}/complete: 422 for answer data with \\u0000; the task stays open and can be answered', async () => {
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'approval',
      input: {},
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
    const task = await t.db
      .selectFrom('tasks')
      .select(['id', 'status'])
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    const refused = await post(
      completeRoute.POST,
      `/tasks/${task.id}/complete`,
      '{"outcome":"yes","data":{"why":"be\\u0000cause"}}',
      { id: task.id },
    );
    expect(refused.status).toBe(422);
    expect(refused.json?.error?.details?.[0]?.path).toBe('body.data.why');
    expect(
      (await t.db.selectFrom('tasks').select('status').where('id', '=', task.id).executeTakeFirstOrThrow()).status,
    ).toBe('open');
    expect(
      (
        await post(completeRoute.POST, `/tasks/${task.id}/complete`, '{"outcome":"yes","data":{"why":"because"}}', {
          id: task.id,
        })
      ).status,
    ).toBe(200);
  });

  it('POST /runs/{id}/resume: 422 for a payload with \\u0000', async () => {
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'waiter',
      input: {},
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
    const response = await post(
      resumeRoute.POST,
      `/runs/${runId}/resume`,
      '{"reason":"test","payload":{"paid":"\\u0000"}}',
      { id: runId },
    );
    expect(response.status).toBe(422);
    expect(response.json?.error?.details?.[0]?.path).toBe('body.payload.paid');
  });

  it('POST /hooks/{token}: 422 for a body with \\u0000, and no run', async () => {
    const trigger = await createTrigger({
      db: t.db,
      ctx,
      input: { key: 'open', type: 'webhook', config: {} } as never,
    });
    const hookToken = trigger.url!.split('/hooks/')[1]!;
    const response = await hookRoute.POST(
      new Request(`http://localhost/api/v1/hooks/${hookToken}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"orderId":"o\\u0000"}',
      }),
      { params: Promise.resolve({ token: hookToken }) },
    );
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { details: Array<{ path: string }> } }).error.details[0]?.path).toBe(
      'body.orderId',
    );
    expect(
      await t.db
        .selectFrom('runs')
        .select('id')
        .where('workflow_id', 'in', t.db.selectFrom('workflows').select('id').where('key', '=', 'open'))
        .execute(),
    ).toEqual([]);
  });
});
