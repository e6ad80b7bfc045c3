import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { closeRunEventListener } from '@/server/runs/run-event-listener';
import { putSecret } from '@/server/secrets/put-secret';
import { answer, startLoopbackServer, type TLoopbackServer } from '@/server/security/loopback-test-server';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

/**
 * Issue #15, item 5: an http.request step's credentials went on to whatever origin a redirect
 * named, unless they were called Authorization or Cookie. Two real servers on two ports of
 * 127.0.0.1 are two origins.
 */

let t: TTestDatabase;
let ctx: TAuthContext;
let target: TLoopbackServer;
let redirector: TLoopbackServer;
const savedAllow = process.env.PIPEWRIGHT_EGRESS_ALLOW;

beforeAll(async () => {
  t = await createTestDatabase('redirect_credentials');
  process.env.DATABASE_URL = t.url;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  target = await startLoopbackServer('127.0.0.1', answer(200, '{"ok":true}', { 'content-type': 'application/json' }));
  redirector = await startLoopbackServer('127.0.0.1', answer(302, '', { location: `${target.origin}/elsewhere` }));
  await putSecret({ db: t.db, ctx, input: { name: 'partner-key', value: 'pk-live-0a9b8c7d6e' } });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'redirected',
    document: {
      env: { secrets: { KEY: 'partner-key' } },
      steps: [
        {
          id: 'call',
          type: 'action.call',
          config: {
            action: 'http.request',
            version: 1,
            input: {
              method: 'GET',
              url: `${redirector.origin}/start`,
              headers: {
                'x-api-key': { $secret: 'KEY' },
                'x-tenant': 'acme',
                accept: 'application/json',
                'x-signature': { $secret: 'KEY' },
              },
            },
            saveAs: 'vars.answer',
          },
        },
      ],
    } as never,
  });
});
afterAll(async () => {
  if (savedAllow === undefined) delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  else process.env.PIPEWRIGHT_EGRESS_ALLOW = savedAllow;
  await Promise.all([target.close(), redirector.close()]);
  await closeRunEventListener();
  await closeExpressionPool();
  await t.close();
});

describe('http.request following a redirect to another origin', () => {
  it('sends the secret-holding and custom headers to the first origin only', async () => {
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'redirected',
      input: {},
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(redirector.hits[0]?.headers).toMatchObject({
      'x-api-key': 'pk-live-0a9b8c7d6e',
      'x-signature': 'pk-live-0a9b8c7d6e',
      'x-tenant': 'acme',
    });
    expect(target.hits).toHaveLength(1);
    const forwarded = target.hits[0]!.headers;
    expect(target.hits[0]!.url).toBe('/elsewhere');
    expect(JSON.stringify(forwarded)).not.toContain('pk-live-0a9b8c7d6e');
    expect(forwarded['x-tenant']).toBeUndefined();
    expect(forwarded.accept).toBe('application/json');
    expect(forwarded['idempotency-key']).toBe(`${runId}:steps[0]`);
  });
});
