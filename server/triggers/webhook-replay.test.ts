import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as hookRoute from '@/app/api/v1/hooks/[token]/route';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { putSecret } from '@/server/secrets/put-secret';
import { createTrigger } from '@/server/triggers/create-trigger';
import { signWebhookBody } from '@/server/triggers/verify-webhook-signature';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

/**
 * Issue #15, item 1: a signed webhook request captured on the way (a proxy log, a leaked
 * request dump) used to start a run every time it was sent again within the 300 s window.
 */

let t: TTestDatabase;
let ctx: TAuthContext;

async function hook(url: string, body: string, signature: string) {
  const token = url.split('/hooks/')[1]!;
  const request = new Request(`http://localhost/api/v1/hooks/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'pipewright-signature': signature },
    body,
  });
  const response = await hookRoute.POST(request, { params: Promise.resolve({ token }) });
  const text = await response.text();
  return {
    status: response.status,
    json: text ? (JSON.parse(text) as { runId?: string; error?: { code: string; message: string } }) : null,
  };
}
async function newSignedHook() {
  const record = await createTrigger({
    db: t.db,
    ctx,
    input: { key: 'orders', type: 'webhook', config: { secret: 'hook-secret' } } as never,
  });
  return { id: record.id, url: record.url! };
}
const sign = (rawBody: string, timestamp = Math.floor(Date.now() / 1000)) =>
  `t=${timestamp},v1=${signWebhookBody({ secret: 'replay-shh', timestamp, rawBody })}`;
const runsOf = async (triggerId: string) =>
  t.db
    .selectFrom('runs')
    .select('id')
    .where(({ ref }) => ref('trigger', '->>').key('id' as never), '=', triggerId)
    .execute();
const firingsOf = async (triggerId: string) =>
  t.db
    .selectFrom('trigger_firings')
    .select(['outcome', 'message'])
    .where('trigger_id', '=', triggerId)
    .orderBy('fired_at')
    .execute();

beforeAll(async () => {
  t = await createTestDatabase('webhook_replay');
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
    },
  });
  await putSecret({ db: t.db, ctx, input: { name: 'hook-secret', value: 'replay-shh' } });
});
afterAll(async () => {
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

describe('signed webhook replay', () => {
  it('the same signed request sent again is 401 and starts no second run; the firings say "replayed signature"', async () => {
    const { id, url } = await newSignedHook();
    const body = '{"orderId":"o-1"}';
    const signature = sign(body);
    expect((await hook(url, body, signature)).status).toBe(202);
    const again = await hook(url, body, signature);
    expect([again.status, again.json?.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(again.json?.error?.message).toMatch(/already been received/);
    expect(await runsOf(id)).toHaveLength(1);
    const firings = await firingsOf(id);
    expect(firings.map((f) => f.outcome)).toEqual(['started', 'rejected']);
    expect(firings[1]?.message).toMatch(/^401: replayed signature/);
  });

  it('a replay that adds other v1 values beside the one that matched is still a replay', async () => {
    const { id, url } = await newSignedHook();
    const body = '{"orderId":"o-2"}';
    const signature = sign(body);
    expect((await hook(url, body, signature)).status).toBe(202);
    expect((await hook(url, body, `${signature},v1=${'0'.repeat(64)}`)).status).toBe(401);
    expect(await runsOf(id)).toHaveLength(1);
  });

  it('two identical requests at the same instant start at most one run', async () => {
    const { id, url } = await newSignedHook();
    const body = '{"orderId":"o-3"}';
    const signature = sign(body);
    const answers = await Promise.all([
      hook(url, body, signature),
      hook(url, body, signature),
      hook(url, body, signature),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 401, 401]);
    expect(await runsOf(id)).toHaveLength(1);
  });

  it('a new signature (another timestamp or body) is a new request; the same signature on another trigger is not a replay there', async () => {
    const { id, url } = await newSignedHook();
    const now = Math.floor(Date.now() / 1000);
    expect((await hook(url, '{"orderId":"o-4"}', sign('{"orderId":"o-4"}', now))).status).toBe(202);
    expect((await hook(url, '{"orderId":"o-4"}', sign('{"orderId":"o-4"}', now - 1))).status).toBe(202);
    expect((await hook(url, '{"orderId":"o-5"}', sign('{"orderId":"o-5"}', now))).status).toBe(202);
    expect(await runsOf(id)).toHaveLength(3);
    const other = await newSignedHook();
    expect((await hook(other.url, '{"orderId":"o-4"}', sign('{"orderId":"o-4"}', now))).status).toBe(202);
  });

  it('a request refused for its input keeps its signature spent; a retry signed anew is accepted', async () => {
    const { id, url } = await newSignedHook();
    const bad = '{"orderId":5}';
    const signature = sign(bad);
    expect((await hook(url, bad, signature)).status).toBe(422);
    expect((await hook(url, bad, signature)).status).toBe(401);
    const good = '{"orderId":"o-6"}';
    expect((await hook(url, good, sign(good))).status).toBe(202);
    expect(await runsOf(id)).toHaveLength(1);
  });

  it('seen signatures are forgotten once their timestamp is outside the window', async () => {
    const { id, url } = await newSignedHook();
    const first = '{"orderId":"o-7"}';
    expect((await hook(url, first, sign(first))).status).toBe(202);
    const seen = () =>
      t.db
        .selectFrom('webhook_signatures_seen')
        .select(['signature', 'expires_at'])
        .where('trigger_id', '=', id)
        .execute();
    expect(await seen()).toHaveLength(1);
    // As if the window had passed: the signature could no longer be accepted, so it need not be kept.
    await t.db
      .updateTable('webhook_signatures_seen')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('trigger_id', '=', id)
      .execute();
    const second = '{"orderId":"o-8"}';
    const secondSignature = sign(second);
    expect((await hook(url, second, secondSignature)).status).toBe(202);
    expect((await seen()).map((row) => row.signature)).toEqual([secondSignature.split('v1=')[1]]);
  });
});
