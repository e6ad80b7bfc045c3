import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { deliverEvent } from '@/server/events/deliver-event';
import { listEvents } from '@/server/events/list-events';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let ctx: TAuthContext;
let other: TAuthContext;
let waiter: string;

beforeAll(async () => {
  t = await createTestDatabase('list_events');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  other = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'waiter',
    document: {
      steps: [
        { id: 'w', type: 'event.wait', config: { event: 'invoice.paid', correlationKey: { $expr: 'payload.id' } } },
      ],
    },
  });
  waiter = (
    await startRun({ tenantId: ctx.tenantId, workflowKey: 'waiter', input: { id: 'INV-1' }, trigger: { type: 'api' } })
  ).runId;
  expect(await driveRun({ db: t.db, runId: waiter })).toBe('WAITING');
  await deliverEvent({
    db: t.db,
    ctx,
    input: { event: 'invoice.created', correlationKey: 'INV-1', payload: { amount: 10 } },
  });
  await deliverEvent({
    db: t.db,
    ctx,
    input: {
      event: 'invoice.paid',
      correlationKey: 'INV-1',
      payload: { amount: 10, card: { number: '4242', password: 'hunter2' }, apiKey: 'k-1' },
    },
  });
  await deliverEvent({ db: t.db, ctx, input: { event: 'nightly.tick' } });
  await deliverEvent({
    db: t.db,
    ctx: other,
    input: { event: 'invoice.paid', correlationKey: 'INV-1', payload: { foreign: true } },
  });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

describe('listEvents', () => {
  it("lists the tenant's events newest first, with what they resumed, never another tenant's", async () => {
    const { items, nextCursor } = await listEvents({ db: t.db, ctx });
    expect(items.map((e) => [e.event, e.resumed])).toEqual([
      ['nightly.tick', []],
      ['invoice.paid', [waiter]],
      ['invoice.created', []],
    ]);
    expect(nextCursor).toBeNull();
    expect(items[2]).toMatchObject({ correlationKey: 'INV-1', payload: { amount: 10 }, started: [] });
  });

  it('masks secret-looking keys in payloads, at any depth', async () => {
    const paid = (await listEvents({ db: t.db, ctx, input: { name: 'paid' } })).items[0];
    expect(paid?.payload).toEqual({
      amount: 10,
      card: { number: '4242', password: '[redacted]' },
      apiKey: '[redacted]',
    });
  });

  it('filters by part of the name (case-insensitive, wildcards taken literally) and by matched or not', async () => {
    const names = async (input: Parameters<typeof listEvents>[0]['input']) =>
      (await listEvents({ db: t.db, ctx, input })).items.map((e) => e.event);
    expect(await names({ name: 'INVOICE' })).toEqual(['invoice.paid', 'invoice.created']);
    expect(await names({ name: '%' })).toEqual([]);
    expect(await names({ match: 'matched' })).toEqual(['invoice.paid']);
    expect(await names({ match: 'unmatched' })).toEqual(['nightly.tick', 'invoice.created']);
    expect(await names({ name: 'invoice', match: 'unmatched' })).toEqual(['invoice.created']);
  });

  it('pages with a cursor and refuses one it did not make', async () => {
    const first = await listEvents({ db: t.db, ctx, input: { limit: 2 } });
    expect(first.items).toHaveLength(2);
    const second = await listEvents({ db: t.db, ctx, input: { limit: 2, cursor: first.nextCursor ?? '' } });
    expect(second.items.map((e) => e.event)).toEqual(['invoice.created']);
    expect(second.nextCursor).toBeNull();
    await expect(listEvents({ db: t.db, ctx, input: { cursor: 'bm9wZQ' } })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('is readable by a viewer', async () => {
    const viewer = (await addMemberTo({ db: t.db, ctx, role: 'viewer' })).ctx;
    expect((await listEvents({ db: t.db, ctx: viewer })).items).toHaveLength(3);
  });
});
