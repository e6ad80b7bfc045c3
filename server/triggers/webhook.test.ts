import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as hookRoute from '@/app/api/v1/hooks/[token]/route';
import type { TAuthContext } from '@/server/auth/context';
import { createDb } from '@/server/db/database';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { putSecret } from '@/server/secrets/put-secret';
import { consumeTriggerRate } from '@/server/triggers/consume-trigger-rate';
import { createTrigger } from '@/server/triggers/create-trigger';
import { setTriggerEnabled } from '@/server/triggers/set-trigger-enabled';
import { signWebhookBody } from '@/server/triggers/verify-webhook-signature';
import { until } from '@/test/faults/fault-harness';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let ctx: TAuthContext;

async function hook(
  url: string,
  { body = '{"orderId":"o-1"}', headers = {} }: { body?: string; headers?: Record<string, string> } = {},
) {
  const token = url.split('/hooks/')[1]!;
  const response = await hookRoute.POST(
    new Request(`http://localhost/api/v1/hooks/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    }),
    { params: Promise.resolve({ token }) },
  );
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}
async function newHook(config: Record<string, unknown> = {}) {
  const record = await createTrigger({ db: t.db, ctx, input: { key: 'orders', type: 'webhook', config } as never });
  return { id: record.id, url: record.url! };
}
const runsOf = async (triggerId: string) =>
  (await t.db
    .selectFrom('runs')
    .select(['id', 'input'])
    .where(({ ref }) => ref('trigger', '->>').key('id' as never), '=', triggerId)
    .execute()) as Array<{ id: string; input: unknown }>;
const sign = (rawBody: string, timestamp = Math.floor(Date.now() / 1000), secret = 'shh-shh') =>
  `t=${timestamp},v1=${signWebhookBody({ secret, timestamp, rawBody })}`;

beforeAll(async () => {
  t = await createTestDatabase('webhooks');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  const parameterSchema = { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string' } } };
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'orders',
    document: {
      parameterSchema,
      steps: [{ id: 'id', type: 'transform.assign', config: { assign: { 'vars.id': { $expr: 'payload.orderId' } } } }],
      output: { $expr: '"done " & vars.id' },
    },
  });
  await putSecret({ db: t.db, ctx, input: { name: 'hook-secret', value: 'shh-shh' } });
});
afterAll(async () => {
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

describe('POST /hooks/{token}', () => {
  it('starts a run with the JSON body as input (202); an Idempotency-Key makes a retry return the same run', async () => {
    const { id, url } = await newHook();
    const first = await hook(url, { headers: { 'idempotency-key': 'delivery-1' } });
    expect(first).toMatchObject({ status: 202, json: { runId: expect.any(String), status: 'QUEUED' } });
    const again = await hook(url, { headers: { 'idempotency-key': 'delivery-1' } });
    expect(again.json?.runId).toBe(first.json?.runId);
    expect(await runsOf(id)).toEqual([{ id: first.json!.runId, input: { orderId: 'o-1' } }]);
    const firings = await t.db
      .selectFrom('trigger_firings')
      .select('outcome')
      .where('trigger_id', '=', id)
      .orderBy('fired_at')
      .execute();
    expect(firings.map((f) => f.outcome)).toEqual(['started', 'duplicate']);
  });

  it('answers 404 for an unknown, malformed or disabled hook', async () => {
    const { id, url } = await newHook();
    expect((await hook(`${url.slice(0, -4)}AAAA`)).status).toBe(404);
    expect((await hook('x/hooks/nonsense')).status).toBe(404);
    await setTriggerEnabled({ db: t.db, ctx, input: { id, enabled: false } });
    expect((await hook(url)).status).toBe(404);
    expect(await runsOf(id)).toEqual([]);
  });

  it('with a secret: a bad, missing, different-length, stale or future signature is 401 and starts no run', async () => {
    const { id, url } = await newHook({ secret: 'hook-secret' });
    const body = '{"orderId": "signed"}';
    const good = sign(body);
    const hex = good.split('v1=')[1]!;
    const now = Math.floor(Date.now() / 1000);
    const refused: Record<string, Record<string, string>> = {
      missing: {},
      bad: { 'pipewright-signature': `t=${now},v1=${hex.replace(/^./, (c) => (c === '0' ? '1' : '0'))}` },
      wrongSecret: { 'pipewright-signature': sign(body, now, 'not-the-secret') },
      differentLength: { 'pipewright-signature': `t=${now},v1=${hex.slice(0, -2)}` },
      stale: { 'pipewright-signature': sign(body, now - 400) },
      future: { 'pipewright-signature': sign(body, now + 400) },
      malformed: { 'pipewright-signature': 'v1' },
      // Signed over other bytes than those sent (re-serialised JSON).
      otherBytes: { 'pipewright-signature': sign('{"orderId":"signed"}') },
    };
    for (const [name, headers] of Object.entries(refused)) {
      const answer = await hook(url, { body, headers });
      expect([name, answer.status, (answer.json?.error as { code: string }).code]).toEqual([
        name,
        401,
        'UNAUTHENTICATED',
      ]);
    }
    expect(await runsOf(id)).toEqual([]);
    const rejected = await t.db
      .selectFrom('trigger_firings')
      .select(['outcome', 'message'])
      .where('trigger_id', '=', id)
      .execute();
    expect(rejected).toHaveLength(Object.keys(refused).length);
    expect(rejected.every((f) => f.outcome === 'rejected' && f.message?.startsWith('401: '))).toBe(true);

    expect(await hook(url, { body, headers: { 'pipewright-signature': good } })).toMatchObject({ status: 202 });
    expect(await runsOf(id)).toHaveLength(1);
  });

  it('a signing secret that no longer exists refuses every request (401) and says why in the firings only', async () => {
    await putSecret({ db: t.db, ctx, input: { name: 'short-lived', value: 'vvvv' } });
    const { id, url } = await newHook({ secret: 'short-lived' });
    await t.db.deleteFrom('secrets').where('name', '=', 'short-lived').execute();
    const answer = await hook(url, {
      headers: { 'pipewright-signature': sign('{"orderId":"o-1"}', undefined, 'vvvv') },
    });
    expect(answer.status).toBe(401);
    expect(JSON.stringify(answer.json)).not.toContain('short-lived');
    expect(
      await t.db.selectFrom('trigger_firings').select(['outcome', 'message']).where('trigger_id', '=', id).execute(),
    ).toEqual([{ outcome: 'failed', message: '401: the signing secret "short-lived" does not exist in this tenant' }]);
  });

  it('mode sync answers 200 with the output when the run finishes within waitMs, 202 when it does not', async () => {
    const { id, url } = await newHook({ mode: 'sync', waitMs: 30_000 });
    const pending = hook(url, { body: '{"orderId":"o-9"}' });
    const run = await until('the webhook run to exist', async () => (await runsOf(id))[0] ?? null);
    await driveRun({ db: t.db, runId: run.id });
    expect(await pending).toMatchObject({
      status: 200,
      json: { runId: run.id, status: 'SUCCEEDED', output: 'done o-9' },
    });

    const { url: quick } = await newHook({ mode: 'sync', waitMs: 0 });
    expect(await hook(quick)).toMatchObject({ status: 202, json: { status: 'QUEUED' } });
  });

  it('answers 413 past 256 KiB, 400 for a body that is not JSON and 422 for input the schema refuses, starting no run', async () => {
    const { id, url } = await newHook();
    const big = await hook(url, { body: JSON.stringify({ orderId: 'x', pad: 'a'.repeat(256 * 1024) }) });
    expect([big.status, (big.json?.error as { code: string }).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await hook(url, { body: '{"orderId": ' })).status).toBe(400);
    const invalid = await hook(url, { body: '{"orderId": 5}' });
    expect([invalid.status, (invalid.json?.error as { details: { path: string }[] }).details[0]?.path]).toEqual([
      422,
      'input.orderId',
    ]);
    expect(await runsOf(id)).toEqual([]);
    expect(
      (await t.db.selectFrom('trigger_firings').select('outcome').where('trigger_id', '=', id).execute()).map(
        (f) => f.outcome,
      ),
    ).toEqual(['rejected', 'rejected', 'rejected']);
  });

  it('answers 429 with Retry-After past the per-minute limit, counted in Postgres across connections', async () => {
    // Not in the last seconds of a minute, so the requests below share one counting window.
    await until('a fresh minute', () => new Date().getSeconds() < 45, { timeoutMs: 20_000, everyMs: 250 });
    const { id, url } = await newHook({ rateLimitPerMinute: 3 });
    expect((await hook(url)).status).toBe(202);
    expect((await hook(url)).status).toBe(202);
    // A second pool stands in for another web process.
    const other = createDb(t.url, { max: 1 }).db;
    expect(await consumeTriggerRate({ db: other, triggerId: id, limitPerMinute: 3 })).toBeNull();
    expect(await consumeTriggerRate({ db: other, triggerId: id, limitPerMinute: 3 })).toEqual({
      retryAfterSeconds: expect.any(Number),
    });
    await other.destroy();
    const limited = await hook(url);
    expect([limited.status, (limited.json?.error as { code: string }).code]).toEqual([429, 'RATE_LIMITED']);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(await runsOf(id)).toHaveLength(2);
  });
});
