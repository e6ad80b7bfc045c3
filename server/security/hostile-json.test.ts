import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as deliverRoute from '@/app/api/v1/events/route';
import * as evaluateRoute from '@/app/api/v1/expressions/evaluate/route';
import * as hookRoute from '@/app/api/v1/hooks/[token]/route';
import * as versionsRoute from '@/app/api/v1/workflows/[key]/versions/route';
import * as startRoute from '@/app/api/v1/workflows/[key]/runs/route';
import type { TAuthContext } from '@/server/auth/context';
import { MAX_JSON_DEPTH } from '@/server/db/storable-json';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { putSecret } from '@/server/secrets/put-secret';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTrigger } from '@/server/triggers/create-trigger';
import { signWebhookBody } from '@/server/triggers/verify-webhook-signature';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

/**
 * Issue #15, item 6: hostile JSON (a NUL in a key or value, a lone surrogate, nesting 10,000
 * levels deep) on every route that takes data, answered with a 422 naming the problem, never
 * a 500, with nothing stored. Nesting is limited to 64 levels, checked on the text before
 * anything recursive (JSON.stringify, zod, PostgreSQL's parser) sees it.
 */

type THandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type TAnswer = {
  status: number;
  json: { error?: { code: string; message: string; details?: Array<{ path: string; message: string }> } } | null;
};

let t: TTestDatabase;
let ctx: TAuthContext;
let token: string;
let hookUrl: string;

const nested = (levels: number, inner = '1') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;

/** Sends `raw` as the body text exactly (JSON.stringify would escape nothing we do not mean). */
async function post(
  handler: THandler,
  path: string,
  raw: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<TAnswer> {
  const request = new Request(`http://localhost/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: raw,
  });
  const response = await handler(request, { params: Promise.resolve(params) });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as TAnswer['json']) : null };
}

/** Each route with a body that puts `value` (JSON text) where its data goes. */
const routes: Record<string, (value: string) => Promise<TAnswer>> = {
  'POST /workflows/{key}/runs': (value) =>
    post(startRoute.POST, '/workflows/open/runs', `{"input":{"data":${value}}}`, { key: 'open' }),
  'POST /events': (value) => post(deliverRoute.POST, '/events', `{"event":"hostile.test","payload":{"data":${value}}}`),
  'POST /workflows/{key}/versions': (value) =>
    post(
      versionsRoute.POST,
      '/workflows/drafted/versions',
      `{"key":"drafted","name":"Drafted","env":{"vars":{}},"steps":[{"id":"a","type":"transform.assign","config":{"assign":{"vars.x":${value}}}}]}`,
      { key: 'drafted' },
    ),
  'POST /expressions/evaluate': (value) =>
    post(evaluateRoute.POST, '/expressions/evaluate', `{"source":"payload","sample":{"payload":{"data":${value}}}}`),
  'POST /hooks/{token} (signed)': (value) => {
    const hookToken = hookUrl.split('/hooks/')[1]!;
    const raw = `{"data":${value}}`;
    const timestamp = Math.floor(Date.now() / 1000);
    return post(
      hookRoute.POST,
      `/hooks/${hookToken}`,
      raw,
      { token: hookToken },
      {
        'pipewright-signature': `t=${timestamp},v1=${signWebhookBody({ secret: 'hostile-secret', timestamp, rawBody: raw })}`,
      },
    );
  },
};

const hostile: Record<string, { value: string; problem: RegExp }> = {
  'NUL in a value': { value: '"a\\u0000b"', problem: /NUL character/ },
  'NUL in a key': { value: '{"k\\u0000":1}', problem: /key that contains the NUL character/ },
  'lone surrogate in a value': { value: '"\\ud800"', problem: /lone UTF-16 surrogate/ },
  'lone surrogate in a key': { value: '{"\\udc00x":1}', problem: /key that contains a lone UTF-16 surrogate/ },
  '10,000 levels of nesting': { value: nested(10_000), problem: /nested deeper than 64 levels/ },
  '10,000 levels of objects': {
    value: `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
    problem: /nested deeper than 64 levels/,
  },
  'one level past the limit': { value: nested(MAX_JSON_DEPTH), problem: /nested deeper than 64 levels/ },
};

async function stored() {
  const [runs, events, versions] = await Promise.all([
    t.db.selectFrom('runs').select('id').execute(),
    t.db.selectFrom('events').select('id').execute(),
    t.db
      .selectFrom('workflow_versions')
      .innerJoin('workflows', 'workflows.id', 'workflow_versions.workflow_id')
      .select('workflow_versions.version')
      .where('workflows.key', '=', 'drafted')
      .execute(),
  ]);
  return { runs: runs.length, events: events.length, drafts: versions.length };
}

beforeAll(async () => {
  t = await createTestDatabase('hostile_json');
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
    key: 'drafted',
    document: { steps: [{ id: 'a', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
  });
  await putSecret({ db: t.db, ctx, input: { name: 'hook-secret', value: 'hostile-secret' } });
  hookUrl = (
    await createTrigger({
      db: t.db,
      ctx,
      input: { key: 'open', type: 'webhook', config: { secret: 'hook-secret' } } as never,
    })
  ).url!;
});
afterAll(async () => {
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

describe('hostile JSON at the boundary', () => {
  for (const [route, send] of Object.entries(routes)) {
    it(`${route}: 422 naming the problem for NUL, lone surrogates and deep nesting; nothing stored`, async () => {
      const before = await stored();
      for (const [name, { value, problem }] of Object.entries(hostile)) {
        const answer = await send(value);
        expect([name, answer.status, answer.json?.error?.code]).toEqual([name, 422, 'VALIDATION']);
        expect(answer.json?.error?.message, name).toMatch(problem);
        expect(answer.json?.error?.details?.[0]?.path, name).toMatch(/^(body|input)/);
      }
      expect(await stored()).toEqual(before);
      // At the limit it is data like any other (the wrapping levels of each route included).
      const fine = await send(nested(MAX_JSON_DEPTH - 8));
      expect([fine.status, fine.json?.error?.message]).toEqual([expect.any(Number), undefined]);
      expect(fine.status).toBeLessThan(300);
    });
  }
});

describe('action outputs follow the same rule', () => {
  it('an action output deeper than 64 levels (+1 for its wrapper) fails the step with VALIDATION naming where; nothing unstorable is kept', async () => {
    const wrap = (levels: number) => {
      let value: unknown = { $expr: 'payload.data' };
      for (let i = 0; i < levels; i++) value = { w: value };
      return value;
    };
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'deep-echo',
      document: {
        steps: [
          {
            id: 'echo',
            type: 'action.call',
            config: { action: 'core.echo', version: 1, input: wrap(12), saveAs: 'vars.echoed' },
          },
        ],
      },
    });
    // The input is within the limit; the echo's output (12 levels more) is past it, and past the
    // one level allowed for an action's own wrapper.
    const data = JSON.parse(nested(MAX_JSON_DEPTH - 9)) as unknown;
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'deep-echo',
      input: { data },
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('FAILED');
    const run = await t.db.selectFrom('runs').select('error').where('id', '=', runId).executeTakeFirstOrThrow();
    expect(run.error).toMatchObject({
      code: 'VALIDATION',
      stepId: 'echo',
      message: expect.stringMatching(/output\.w\.w.*nested deeper than 65 levels/),
    });
    expect(
      await t.db.selectFrom('action_invocations').select('idempotency_key').where('run_id', '=', runId).execute(),
    ).toEqual([]);
  });

  it('an action output holding NUL or a lone surrogate fails the step with VALIDATION naming where', async () => {
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'nul-echo',
      document: {
        steps: [
          {
            id: 'echo',
            type: 'action.call',
            config: { action: 'core.echo', version: 1, input: { note: { $expr: '"a\\u0000b"' } } },
          },
        ],
      },
    });
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'nul-echo',
      input: {},
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('FAILED');
    const run = await t.db.selectFrom('runs').select('error').where('id', '=', runId).executeTakeFirstOrThrow();
    expect(run.error).toMatchObject({
      code: 'VALIDATION',
      stepId: 'echo',
      message: expect.stringContaining('output.note contains the NUL character'),
    });
  });
});
