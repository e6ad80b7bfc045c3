import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { startLoopbackSmtpServer, type TLoopbackSmtpServer } from '@/server/email/loopback-smtp-server';
import { claimSmtpSend, confirmSmtpSend, noteSmtpFailure } from '@/server/email/record-smtp-send';
import type { TActionHandlerResult } from '@/server/runtime/actions/handlers/action-handler';
import type { TActionInvocation } from '@/server/runtime/actions/handlers/action-handler';
import {
  emailSendHandler,
  stableMessageId,
  type TEmailSendHandlerArgs,
} from '@/server/runtime/actions/handlers/email-send-handler';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { putSecret } from '@/server/secrets/put-secret';
import { parseEgressAllowList } from '@/server/security/egress-allowlist';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import { LeaseLostError } from '@/server/runtime/interpreter/run-writer';

// SMTP servers are real (smtp-server) and listen on 127.0.0.1 or 127.0.0.2 only.
let t: TTestDatabase;
let ctx: TAuthContext;
let runId: string;
const servers: TLoopbackSmtpServer[] = [];
const savedEnv = {
  SMTP_URL: process.env.SMTP_URL,
  PIPEWRIGHT_EGRESS_ALLOW: process.env.PIPEWRIGHT_EGRESS_ALLOW,
  SMTP_FROM: process.env.SMTP_FROM,
};

async function smtp(
  host = '127.0.0.1',
  options: { rejectRecipients?: number; holdMessages?: boolean } = {},
): Promise<TLoopbackSmtpServer> {
  const server = await startLoopbackSmtpServer(host, options);
  servers.push(server);
  return server;
}

beforeAll(async () => {
  t = await createTestDatabase('email_send');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'holder',
    document: { steps: [{ id: 'noop', type: 'transform.assign', config: { assign: { 'vars.a': 1 } } }] },
  });
  runId = (await startRun({ tenantId: ctx.tenantId, workflowKey: 'holder', input: {}, trigger: { type: 'api' } }))
    .runId;
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

const FROM = 'Pipewright <robot@pipewright.test>';
function invocation(extra: Partial<TActionInvocation> = {}): TActionInvocation {
  return {
    db: t.db,
    tenantId: ctx.tenantId,
    runId,
    stepPath: 'steps[0]',
    maskSecrets: (value) => value,
    addSecret: () => undefined,
    assertLeaseHeld: () => undefined,
    ...extra,
  };
}
let keys = 0;
function send(input: unknown, extra: Partial<TEmailSendHandlerArgs> = {}) {
  keys += 1;
  return emailSendHandler({
    input,
    signal: new AbortController().signal,
    idempotencyKey: `${runId}:steps[${keys}]`,
    invocation: invocation(),
    smtpUrl: undefined,
    from: FROM,
    allow: parseEgressAllowList('127.0.0.1'),
    ...extra,
  });
}
const message = {
  to: ['manager@example.com', 'audit@example.com'],
  subject: 'Invoice INV-7 needs approval',
  text: 'Please approve 1,250.00 EUR.',
  html: '<p>Please approve <b>1,250.00 EUR</b>.</p>',
};
const rows = (key: string) =>
  t.db.selectFrom('email_messages').selectAll().where('idempotency_key', '=', key).execute();
const retryAfterMs = (result: TActionHandlerResult) => ('error' in result ? result.error.retryAfterMs : undefined);
const waitMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ledger = (key: string) =>
  t.db.selectFrom('action_invocations').select(['action', 'output']).where('idempotency_key', '=', key).execute();

describe('email.send@1 without SMTP_URL: the outbox', () => {
  it('keeps the message, once per idempotency key, with its ledger row', async () => {
    const key = `${runId}:outbox-1`;
    const first = await send(message, { idempotencyKey: key });
    const messageId = stableMessageId(ctx.tenantId, key, FROM);
    expect(first).toEqual({ output: { messageId } });
    expect(messageId).toMatch(/^<[0-9a-f]{32}@pipewright\.test>$/);
    // A retry after a crash (the step's result was never committed) keeps nothing new.
    expect(await send({ ...message, subject: 'changed on retry' }, { idempotencyKey: key })).toEqual({
      output: { messageId },
    });
    const kept = await rows(key);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({
      delivery: 'outbox',
      status: 'kept',
      run_id: runId,
      from_address: FROM,
      to_addresses: message.to,
      subject: message.subject,
      text_body: message.text,
      html_body: message.html,
    });
    expect(await ledger(key)).toEqual([{ action: 'email.send', output: { messageId } }]);
  });

  it("masks the run's secret values in what it keeps: the outbox is a page people read", async () => {
    const key = `${runId}:outbox-secret`;
    const mask = (value: unknown) => (typeof value === 'string' ? value.split('tok-1234').join('••••••') : value);
    await send(
      { to: 'a@example.com', subject: 'Token tok-1234', text: 'your token: tok-1234' },
      { idempotencyKey: key, invocation: invocation({ maskSecrets: mask }) },
    );
    expect((await rows(key))[0]).toMatchObject({
      subject: 'Token ••••••',
      text_body: 'your token: ••••••',
      html_body: null,
    });
  });

  it('answers VALIDATION for input that is not an email.send, keeping nothing', async () => {
    const key = `${runId}:outbox-bad`;
    expect(await send({ to: 'nope', subject: 'x', text: 'y' }, { idempotencyKey: key })).toMatchObject({
      error: { code: 'VALIDATION', retryable: false },
    });
    expect(await rows(key)).toEqual([]);
  });
});

describe('email.send@1 with SMTP_URL', () => {
  it('says nothing to the server once connected when the lease is gone, and rethrows (SPEC §7.3)', async () => {
    const server = await smtp();
    const key = `${runId}:smtp-lease`;
    const lost = new LeaseLostError(runId);
    const call = emailSendHandler({
      input: message,
      signal: new AbortController().signal,
      idempotencyKey: key,
      invocation: invocation({
        assertLeaseHeld: () => {
          throw lost;
        },
      }),
      smtpUrl: server.url,
      from: FROM,
      allow: parseEgressAllowList('127.0.0.1'),
    });
    await expect(call).rejects.toBe(lost);
    expect(server.messages).toHaveLength(0);
  });

  it('delivers to the SMTP server with the stable Message-ID, and never twice for one key', async () => {
    const server = await smtp();
    const key = `${runId}:smtp-1`;
    const result = await send(message, { idempotencyKey: key, smtpUrl: server.url });
    const messageId = stableMessageId(ctx.tenantId, key, FROM);
    expect(result).toEqual({ output: { messageId } });
    expect(server.messages).toHaveLength(1);
    const received = server.messages[0]!;
    expect(received.from).toBe('robot@pipewright.test');
    expect(received.to).toEqual(message.to);
    expect(received.raw).toContain(`Message-ID: ${messageId}`);
    expect(received.raw).toContain('Subject: Invoice INV-7 needs approval');
    expect(received.raw).toContain('Please approve 1,250.00 EUR.');
    expect((await rows(key))[0]).toMatchObject({ delivery: 'smtp', status: 'sent', text_body: null, last_error: null });
    expect(await ledger(key)).toEqual([{ action: 'email.send', output: { messageId } }]);
    // The worker died after the server accepted the message, before the step committed: the retry sends nothing.
    expect(await send(message, { idempotencyKey: key, smtpUrl: server.url })).toEqual({ output: { messageId } });
    expect(server.messages).toHaveLength(1);
    expect(server.connections()).toBe(1);
  });

  it('sends again, with the same Message-ID, when an earlier attempt never got the answer recorded', async () => {
    const server = await smtp();
    const key = `${runId}:smtp-unconfirmed`;
    const messageId = stableMessageId(ctx.tenantId, key, FROM);
    // What a worker killed mid-send leaves behind: the claim, not the confirmation.
    await t.db
      .insertInto('email_messages')
      .values({
        tenant_id: ctx.tenantId,
        idempotency_key: key,
        run_id: runId,
        step_path: 'steps[0]',
        message_id: messageId,
        from_address: FROM,
        to_addresses: ['a@example.com'],
        subject: 'x',
        delivery: 'smtp',
        status: 'sending',
      })
      .execute();
    expect(
      await send({ to: 'a@example.com', subject: 'x', text: 'y' }, { idempotencyKey: key, smtpUrl: server.url }),
    ).toEqual({ output: { messageId } });
    expect(server.messages[0]?.raw).toContain(`Message-ID: ${messageId}`);
    expect((await rows(key))[0]?.status).toBe('sent');
  });

  it('makes a 4xx reply retryable and a 5xx reply final, recording the failure', async () => {
    const busy = await smtp('127.0.0.1', { rejectRecipients: 451 });
    const busyKey = `${runId}:smtp-451`;
    expect(await send(message, { idempotencyKey: busyKey, smtpUrl: busy.url })).toMatchObject({
      error: { code: 'EMAIL', retryable: true, details: { responseCode: 451 } },
    });
    // The failure ends the claim: the retry need not wait for it to run out.
    expect((await rows(busyKey))[0]).toMatchObject({
      status: 'sending',
      last_error: expect.stringContaining('451'),
      claim_owner: null,
      claim_expires_at: null,
    });
    expect(await ledger(busyKey)).toEqual([]);
    const refusing = await smtp('127.0.0.1', { rejectRecipients: 550 });
    expect(await send(message, { smtpUrl: refusing.url })).toMatchObject({
      error: { code: 'EMAIL', retryable: false, details: { responseCode: 550 } },
    });
    expect(busy.messages).toHaveLength(0);
  });

  it('makes a refused connection retryable', async () => {
    const server = await smtp();
    await server.close();
    expect(await send(message, { smtpUrl: server.url })).toMatchObject({ error: { code: 'EMAIL', retryable: true } });
  });

  it('refuses an SMTP server on 127.0.0.2 while only 127.0.0.1 is allowed, in any notation, without connecting', async () => {
    const blocked = await smtp('127.0.0.2');
    for (const url of [
      blocked.url,
      `smtp://2130706434:${blocked.port}`,
      `smtp://[::ffff:127.0.0.2]:${blocked.port}`,
      `smtp://0x7f.0.0.2:${blocked.port}`,
    ]) {
      const result = await send(message, { smtpUrl: url });
      expect(result, url).toMatchObject({ error: { code: 'EGRESS_BLOCKED', retryable: false } });
      expect('error' in result ? result.error.message : '', url).toMatch(/127\.0\.0\.2\)? is a loopback address/);
    }
    // A name that resolves there is refused too (the resolver stub stands in for DNS).
    const viaDns = await send(message, {
      smtpUrl: `smtp://mail.test:${blocked.port}`,
      resolveHost: async () => [{ address: '127.0.0.2', family: 4 }],
    });
    expect(viaDns).toMatchObject({ error: { code: 'EGRESS_BLOCKED' } });
    expect(blocked.connections()).toBe(0);
    // …while the allow list opens it, so the refusals above are real.
    expect(await send(message, { smtpUrl: blocked.url, allow: parseEgressAllowList('127.0.0.2') })).toMatchObject({
      output: {},
    });
    expect(blocked.messages).toHaveLength(1);
  });

  it('fails with CONFIG for an SMTP_URL that is not one', async () => {
    expect(await send(message, { smtpUrl: 'http://127.0.0.1:25' })).toMatchObject({
      error: { code: 'CONFIG', retryable: false },
    });
  });

  it('times out as a retryable TIMEOUT and reports an abort as CANCELED', async () => {
    // A listener that accepts and never greets; the abort comes once the connection is there.
    const net = await import('node:net');
    let onConnection = () => {};
    const silent = net.createServer(() => onConnection());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      expect(await send(message, { smtpUrl: `smtp://127.0.0.1:${port}`, timeoutMs: 200 })).toMatchObject({
        error: { code: 'TIMEOUT', retryable: true },
      });
      const controller = new AbortController();
      onConnection = () => controller.abort();
      expect(await send(message, { smtpUrl: `smtp://127.0.0.1:${port}`, signal: controller.signal })).toMatchObject({
        error: { code: 'CANCELED', retryable: false },
      });
    } finally {
      silent.close();
    }
  });
});

describe('email.send@1 with SMTP_URL: one sender per key at a time', () => {
  it('lets one of two attempts running at once send; the other sends nothing, waits for it and answers with the same message', async () => {
    const server = await smtp('127.0.0.1', { holdMessages: true });
    const key = `${runId}:smtp-race`;
    const messageId = stableMessageId(ctx.tenantId, key, FROM);
    const timeoutMs = 5_000;
    // A worker that lost its lease (frozen, then woken) and the worker that took the run over.
    const attempts = [
      send(message, { idempotencyKey: key, smtpUrl: server.url, timeoutMs }),
      send(message, { idempotencyKey: key, smtpUrl: server.url, timeoutMs }),
    ];
    // The server keeps the first message unanswered for a while, or until both attempts are in
    // the middle of sending it (which is the bug).
    await Promise.race([server.whenHeld(2), new Promise((resolve) => setTimeout(resolve, 1_000))]);
    server.release();
    const results = await Promise.all(attempts);
    expect(server.messages).toHaveLength(1);
    expect(server.connections()).toBe(1);
    expect(server.messages[0]?.raw).toContain(`Message-ID: ${messageId}`);
    expect(results).toEqual([{ output: { messageId } }, { output: { messageId } }]);
    expect((await rows(key))[0]).toMatchObject({
      status: 'sent',
      claim_owner: null,
      claim_expires_at: null,
      last_error: null,
    });
    expect(await ledger(key)).toEqual([{ action: 'email.send', output: { messageId } }]);
  });

  it("answers a retryable CONFLICT when another attempt's claim outlasts its wait, asking to come back when it ends", async () => {
    const server = await smtp();
    const key = `${runId}:smtp-live-claim`;
    const messageId = stableMessageId(ctx.tenantId, key, FROM);
    await claimSmtpSend({
      db: t.db,
      tenantId: ctx.tenantId,
      idempotencyKey: key,
      runId,
      stepPath: 'steps[0]',
      messageId,
      from: FROM,
      to: message.to,
      subject: message.subject,
      claimMs: 60_000,
    });
    const refused = await send(message, { idempotencyKey: key, smtpUrl: server.url, waitForClaimMs: 100 });
    expect(refused).toMatchObject({ error: { code: 'CONFLICT', retryable: true } });
    expect(retryAfterMs(refused)).toBeGreaterThan(50_000);
    expect(server.connections()).toBe(0);
  });

  it('sends once the claim of a sender that died has expired, and not before', async () => {
    const server = await smtp();
    const key = `${runId}:smtp-dead-claim`;
    const messageId = stableMessageId(ctx.tenantId, key, FROM);
    // What a worker killed mid-send leaves behind: its claim (a short one, to wait it out).
    await claimSmtpSend({
      db: t.db,
      tenantId: ctx.tenantId,
      idempotencyKey: key,
      runId,
      stepPath: 'steps[0]',
      messageId,
      from: FROM,
      to: message.to,
      subject: message.subject,
      claimMs: 400,
    });
    const early = await send(message, { idempotencyKey: key, smtpUrl: server.url, waitForClaimMs: 0 });
    expect(early).toMatchObject({ error: { code: 'CONFLICT', retryable: true } });
    expect(server.connections()).toBe(0);
    // The attempt that took the run over waits the dead sender's claim out, then sends: its call
    // counts as in flight at a crash. A step without retries left is not failed for it.
    expect(await send(message, { idempotencyKey: key, smtpUrl: server.url })).toEqual({ output: { messageId } });
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]?.raw).toContain(`Message-ID: ${messageId}`);
    expect((await rows(key))[0]).toMatchObject({ status: 'sent', claim_owner: null });
  });

  it('ignores a late confirm or failure from an attempt whose claim was taken over', async () => {
    const key = `${runId}:smtp-late-confirm`;
    const messageId = stableMessageId(ctx.tenantId, key, FROM);
    const record = { db: t.db, tenantId: ctx.tenantId, idempotencyKey: key, runId, stepPath: 'steps[0]', messageId };
    const claim = (claimMs: number) =>
      claimSmtpSend({ ...record, from: FROM, to: message.to, subject: message.subject, claimMs });
    const stale = await claim(300);
    expect(stale).toMatchObject({ kind: 'claimed', messageId });
    const busy = await claim(60_000);
    expect(busy).toMatchObject({ kind: 'busy' });
    await waitMs(busy.kind === 'busy' ? busy.retryAfterMs : 0);
    const current = await claim(60_000);
    if (stale.kind !== 'claimed' || current.kind !== 'claimed')
      throw new Error(`expected two claims, got ${stale.kind} and ${current.kind}`);
    expect(current.owner).not.toBe(stale.owner);
    const taken = await rows(key);
    // The stale owner's send went out, but the row is the new owner's, which may be sending right
    // now: marking it sent or releasing the claim would let a third attempt send beside it.
    expect(await confirmSmtpSend({ ...record, owner: stale.owner })).toBe(false);
    expect(await noteSmtpFailure({ ...record, owner: stale.owner, message: 'late failure' })).toBe(false);
    expect(await rows(key)).toEqual(taken);
    expect(await ledger(key)).toEqual([]);
    expect(await confirmSmtpSend({ ...record, owner: current.owner })).toBe(true);
    const sent = await rows(key);
    expect(sent[0]).toMatchObject({ status: 'sent', claim_owner: null, claim_expires_at: null });
    expect(await confirmSmtpSend({ ...record, owner: stale.owner })).toBe(false);
    expect(await rows(key)).toEqual(sent);
    expect(await ledger(key)).toEqual([{ action: 'email.send', output: { messageId } }]);
  });

  it('still takes the confirm of an owner whose claim ran out while nobody took it over', async () => {
    const key = `${runId}:smtp-slow-confirm`;
    const messageId = stableMessageId(ctx.tenantId, key, FROM);
    const record = { db: t.db, tenantId: ctx.tenantId, idempotencyKey: key, runId, stepPath: 'steps[0]', messageId };
    const slow = await claimSmtpSend({ ...record, from: FROM, to: message.to, subject: message.subject, claimMs: 100 });
    if (slow.kind !== 'claimed') throw new Error(`expected a claim, got ${slow.kind}`);
    await waitMs(150);
    // Nobody else can be sending: taking the claim over would have replaced the owner first.
    expect(await confirmSmtpSend({ ...record, owner: slow.owner })).toBe(true);
    expect((await rows(key))[0]).toMatchObject({ status: 'sent', claim_owner: null });
  });
});

describe('email.send@1 inside a run', () => {
  it("sends through SMTP_URL with the run's key, and masks a $secret in the outbox when SMTP_URL is unset", async () => {
    await putSecret({ db: t.db, ctx, input: { name: 'mail-token', value: 'tok-9f8e7d6c' } });
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'mailer',
      document: {
        env: { vars: {}, secrets: { TOKEN: 'mail-token' } },
        steps: [
          {
            id: 'mail',
            type: 'action.call',
            config: {
              action: 'email.send',
              version: 1,
              input: { to: { $expr: 'payload.to' }, subject: 'Your code', text: { $secret: 'TOKEN' } },
              saveAs: 'vars.sent',
            },
          },
        ],
        output: { $expr: 'vars.sent' },
      },
    });
    const server = await smtp();
    process.env.SMTP_URL = server.url;
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    const viaSmtp = (
      await startRun({
        tenantId: ctx.tenantId,
        workflowKey: 'mailer',
        input: { to: 'ada@example.com' },
        trigger: { type: 'api' },
      })
    ).runId;
    expect(await driveRun({ db: t.db, runId: viaSmtp })).toBe('SUCCEEDED');
    expect(server.messages.map((m) => m.to)).toEqual([['ada@example.com']]);
    expect(server.messages[0]?.raw).toContain('tok-9f8e7d6c');

    delete process.env.SMTP_URL;
    const viaOutbox = (
      await startRun({
        tenantId: ctx.tenantId,
        workflowKey: 'mailer',
        input: { to: 'bob@example.com' },
        trigger: { type: 'api' },
      })
    ).runId;
    expect(await driveRun({ db: t.db, runId: viaOutbox })).toBe('SUCCEEDED');
    const kept = await t.db
      .selectFrom('email_messages')
      .selectAll()
      .where('run_id', '=', viaOutbox)
      .executeTakeFirstOrThrow();
    expect(kept).toMatchObject({
      delivery: 'outbox',
      idempotency_key: `${viaOutbox}:steps[0]`,
      to_addresses: ['bob@example.com'],
      text_body: '••••••',
    });
    const output = (
      await t.db.selectFrom('runs').select('output').where('id', '=', viaOutbox).executeTakeFirstOrThrow()
    ).output;
    expect(output).toEqual({ messageId: kept.message_id });
    expect(server.messages).toHaveLength(1);
  });
});
