import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { deliverEvent } from '@/server/events/deliver-event';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let ctx: TAuthContext;
let other: TAuthContext;

const waitFor = (extra: Record<string, unknown> = {}) => ({
  steps: [{ id: 'w', type: 'event.wait', config: { event: 'shipment.arrived', saveAs: 'vars.got', ...extra } }],
  output: { $expr: 'vars.got' },
});

beforeAll(async () => {
  t = await createTestDatabase('deliver_event');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  other = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'keyed',
    document: waitFor({ correlationKey: { $expr: 'payload.id' } }),
  });
  await publishWorkflow({ db: t.db, ctx, key: 'unkeyed', document: waitFor() });
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'lookback',
    document: waitFor({ correlationKey: { $expr: 'payload.id' }, lookbackMs: 60_000 }),
  });
  await publishWorkflow({
    db: t.db,
    ctx: other,
    key: 'keyed',
    document: waitFor({ correlationKey: { $expr: 'payload.id' } }),
  });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function waiting(key: string, input: unknown, as = ctx): Promise<string> {
  const { runId } = await startRun({ tenantId: as.tenantId, workflowKey: key, input, trigger: { type: 'api' } });
  expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
  return runId;
}
const resumedCount = async (runId: string) =>
  (
    await t.db
      .selectFrom('run_events')
      .select('seq')
      .where('run_id', '=', runId)
      .where('type', '=', 'run.resumed')
      .execute()
  ).length;

describe('deliverEvent', () => {
  it("resumes the runs waiting on the event and key, never another tenant's, and stores the event with them", async () => {
    const keyed = await waiting('keyed', { id: 'box-1' });
    const otherKey = await waiting('keyed', { id: 'box-2' });
    const unkeyed = await waiting('unkeyed', {});
    const foreign = await waiting('keyed', { id: 'box-1' }, other);
    const result = await deliverEvent({
      db: t.db,
      ctx,
      input: { event: 'shipment.arrived', correlationKey: 'box-1', payload: { dock: 4 } },
    });
    expect(result).toMatchObject({
      event: 'shipment.arrived',
      correlationKey: 'box-1',
      payload: { dock: 4 },
      resumed: [keyed],
      started: [],
    });
    expect(await driveRun({ db: t.db, runId: keyed })).toBe('SUCCEEDED');
    expect(
      (await t.db.selectFrom('runs').select('output').where('id', '=', keyed).executeTakeFirstOrThrow()).output,
    ).toEqual({ dock: 4 });
    for (const id of [otherKey, unkeyed, foreign])
      expect(
        (await t.db.selectFrom('runs').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status,
      ).toBe('WAITING');
    // A wait without a key matches only an event without one.
    expect((await deliverEvent({ db: t.db, ctx, input: { event: 'shipment.arrived' } })).resumed).toEqual([unkeyed]);
    const stored = await t.db
      .selectFrom('events')
      .select(['resumed'])
      .where('id', '=', result.id)
      .executeTakeFirstOrThrow();
    expect(stored.resumed).toEqual([keyed]);
    const audit = await t.db.selectFrom('audit_log').select('action').where('target_id', '=', result.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['event.delivered']);
  });

  it('resumes each waiting run exactly once when two identical events race', async () => {
    const runs = [
      await waiting('keyed', { id: 'race' }),
      await waiting('keyed', { id: 'race' }),
      await waiting('keyed', { id: 'race' }),
    ];
    const deliveries = await Promise.all(
      [0, 1, 2, 3].map(() =>
        deliverEvent({
          db: t.db,
          ctx,
          input: { event: 'shipment.arrived', correlationKey: 'race', payload: { n: 1 } },
        }),
      ),
    );
    const resumed = deliveries.flatMap((d) => d.resumed);
    expect([...resumed].sort()).toEqual([...runs].sort());
    for (const runId of runs) {
      expect(await resumedCount(runId)).toBe(1);
      expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    }
  });

  it('with lookbackMs, a wait is resolved by an event received shortly before it began', async () => {
    const early = await deliverEvent({
      db: t.db,
      ctx,
      input: { event: 'shipment.arrived', correlationKey: 'early', payload: { before: true } },
    });
    expect(early.resumed).toEqual([]);
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'lookback',
      input: { id: 'early' },
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(
      (await t.db.selectFrom('runs').select('output').where('id', '=', runId).executeTakeFirstOrThrow()).output,
    ).toEqual({ before: true });
    expect(
      (await t.db.selectFrom('events').select('resumed').where('id', '=', early.id).executeTakeFirstOrThrow()).resumed,
    ).toEqual([runId]);
    // Without lookback the same early event does not count.
    const late = await waiting('keyed', { id: 'early' });
    expect(late).toBeTruthy();
  });

  it('refuses a viewer and a bad body', async () => {
    const viewer = (await addMemberTo({ db: t.db, ctx, role: 'viewer' })).ctx;
    await expect(deliverEvent({ db: t.db, ctx: viewer, input: { event: 'x' } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(deliverEvent({ db: t.db, ctx, input: { event: '' } })).rejects.toMatchObject({ name: 'ZodError' }); // 422 through toAppError
  });
});
