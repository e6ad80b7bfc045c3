import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { getOutboxMessage } from '@/server/email/get-outbox-message';
import { keepInOutbox } from '@/server/email/keep-in-outbox';
import { listOutboxMessages } from '@/server/email/list-outbox-messages';
import { claimSmtpSend } from '@/server/email/record-smtp-send';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let ctx: TAuthContext;
let other: TAuthContext;
let runId: string;
let otherRunId: string;

const message = (n: number) => ({
  messageId: `<m${n}@pipewright.test>`,
  from: 'Pipewright <p@pipewright.test>',
  to: [`person${n}@example.com`],
  subject: `Message ${n}`,
  text: `Body ${n}`,
  html: null,
});

beforeAll(async () => {
  t = await createTestDatabase('outbox');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  other = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  for (const as of [ctx, other])
    await publishWorkflow({
      db: t.db,
      ctx: as,
      key: 'mailer',
      document: { steps: [{ id: 'a', type: 'transform.assign', config: { assign: { 'vars.a': 1 } } }] },
    });
  runId = (await startRun({ tenantId: ctx.tenantId, workflowKey: 'mailer', input: {}, trigger: { type: 'api' } }))
    .runId;
  otherRunId = (
    await startRun({ tenantId: other.tenantId, workflowKey: 'mailer', input: {}, trigger: { type: 'api' } })
  ).runId;
  for (const n of [1, 2, 3])
    await keepInOutbox({
      db: t.db,
      tenantId: ctx.tenantId,
      idempotencyKey: `k${n}`,
      runId,
      stepPath: `steps[${n}]`,
      message: message(n),
    });
  await keepInOutbox({
    db: t.db,
    tenantId: other.tenantId,
    idempotencyKey: 'k1',
    runId: otherRunId,
    stepPath: 'steps[0]',
    message: message(9),
  });
  // An SMTP send is not an outbox message.
  await claimSmtpSend({
    db: t.db,
    tenantId: ctx.tenantId,
    idempotencyKey: 'smtp-1',
    runId,
    stepPath: 'steps[9]',
    messageId: '<s@x>',
    from: 'p@x',
    to: ['a@example.com'],
    subject: 'sent by SMTP',
    claimMs: 60_000,
  });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

describe('the outbox', () => {
  it("lists the tenant's kept messages newest first, without SMTP sends or another tenant's", async () => {
    const { items, nextCursor } = await listOutboxMessages({ db: t.db, ctx });
    expect(items.map((m) => m.subject)).toEqual(['Message 3', 'Message 2', 'Message 1']);
    expect(items[0]).toMatchObject({
      to: ['person3@example.com'],
      text: 'Body 3',
      html: null,
      runId,
      stepPath: 'steps[3]',
      messageId: '<m3@pipewright.test>',
    });
    expect(nextCursor).toBeNull();
    const paged = await listOutboxMessages({ db: t.db, ctx, input: { limit: 2 } });
    expect(
      (await listOutboxMessages({ db: t.db, ctx, input: { limit: 2, cursor: paged.nextCursor ?? '' } })).items.map(
        (m) => m.subject,
      ),
    ).toEqual(['Message 1']);
  });

  it("reads one message; another tenant's, an SMTP send or a malformed id is not found", async () => {
    const [first] = (await listOutboxMessages({ db: t.db, ctx })).items;
    expect(await getOutboxMessage({ db: t.db, ctx, id: first!.id })).toEqual(first);
    const foreign = (await listOutboxMessages({ db: t.db, ctx: other })).items[0]!;
    await expect(getOutboxMessage({ db: t.db, ctx, id: foreign.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const smtp = await t.db
      .selectFrom('email_messages')
      .select('id')
      .where('idempotency_key', '=', 'smtp-1')
      .executeTakeFirstOrThrow();
    await expect(getOutboxMessage({ db: t.db, ctx, id: smtp.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(getOutboxMessage({ db: t.db, ctx, id: "1' or 1=1" })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('is readable by a viewer (like the step records holding the same input)', async () => {
    const viewer = (await addMemberTo({ db: t.db, ctx, role: 'viewer' })).ctx;
    expect((await listOutboxMessages({ db: t.db, ctx: viewer })).items).toHaveLength(3);
  });
});
