import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { killAllWorkers, startWorker, until, workerOutputs, type TWorkerProcess } from '@/test/faults/fault-harness';
import { createTrigger } from '@/server/triggers/create-trigger';
import { fireScheduleTrigger } from '@/server/triggers/fire-schedule-trigger';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let ctx: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('schedule_triggers');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  const parameterSchema = { type: 'object', required: ['report'], properties: { report: { type: 'string' } } };
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'report',
    document: {
      parameterSchema,
      steps: [{ id: 'note', type: 'transform.assign', config: { assign: { 'vars.r': { $expr: 'payload.report' } } } }],
      output: { $expr: 'vars.r' },
    },
  });
});
afterEach(async () => {
  await killAllWorkers();
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

const schedule = (config: Record<string, unknown>) =>
  createTrigger({ db: t.db, ctx, input: { key: 'report', type: 'schedule', config } as never });
const runsOf = (triggerId: string) =>
  t.db
    .selectFrom('runs')
    .select(['id', 'idempotency_key', 'input', 'status'])
    .where(({ ref }) => ref('trigger', '->>').key('id' as never), '=', triggerId)
    .orderBy('created_at')
    .execute();

describe('schedule triggers', () => {
  it('many ticks for one slot, even at once, start one run', async () => {
    const trigger = await schedule({ cron: '* * * * *', timezone: 'UTC', input: { report: 'daily' } });
    // Make the previous minute's slot due without waiting for it.
    await t.db
      .updateTable('triggers')
      .set({ updated_at: new Date(Date.now() - 90_000) })
      .where('id', '=', trigger.id)
      .execute();
    const ticks = await Promise.all(
      Array.from({ length: 6 }, () => fireScheduleTrigger({ db: t.db, triggerId: trigger.id })),
    );
    expect(ticks.filter((tick) => tick.status === 'fired')).toHaveLength(1);
    const runs = await runsOf(trigger.id);
    expect(runs).toHaveLength(1);
    const fired = ticks.find((tick) => tick.status === 'fired');
    expect(runs[0]).toMatchObject({
      input: { report: 'daily' },
      idempotency_key: `schedule:${trigger.id}:${fired?.status === 'fired' ? fired.slot.toISOString() : ''}`,
    });
  });

  it('a slot whose input the schema refuses starts nothing and is kept as a rejected firing', async () => {
    // Creation refuses such an input; a version published later with a stricter schema (here:
    // the stored config changed under it) still meets it at firing time.
    const trigger = await schedule({ cron: '* * * * *', timezone: 'UTC', input: { report: 'daily' } });
    await t.db
      .updateTable('triggers')
      .set({
        updated_at: new Date(Date.now() - 90_000),
        config: JSON.stringify({ cron: '* * * * *', timezone: 'UTC', input: { report: 7 } }),
      })
      .where('id', '=', trigger.id)
      .execute();
    expect(await fireScheduleTrigger({ db: t.db, triggerId: trigger.id })).toMatchObject({
      status: 'fired',
      result: { outcome: 'rejected' },
    });
    expect(await runsOf(trigger.id)).toEqual([]);
    expect(
      await t.db
        .selectFrom('trigger_firings')
        .select(['outcome', 'slot'])
        .where('trigger_id', '=', trigger.id)
        .execute(),
    ).toEqual([{ outcome: 'rejected', slot: expect.any(Date) }]);
  });

  it('a per-minute cron fires through pg-boss with two real workers: each minute one run, never two', async () => {
    const workers: TWorkerProcess[] = [];
    onTestFailed(() => console.log(workerOutputs(workers)));
    const trigger = await schedule({ cron: '* * * * *', timezone: 'Europe/Berlin', input: { report: 'minutely' } });
    workers.push(...(await Promise.all([startWorker({ url: t.url }), startWorker({ url: t.url })])));
    const runs = await until(
      'two minute slots to have fired',
      async () => {
        const found = await runsOf(trigger.id);
        return found.length >= 2 ? found : null;
      },
      { timeoutMs: 200_000, everyMs: 1000 },
    );
    const slots = runs.map((run) => run.idempotency_key!.split(`schedule:${trigger.id}:`)[1]!);
    expect(new Set(slots).size).toBe(runs.length);
    for (const slot of slots) expect(new Date(slot).getUTCSeconds()).toBe(0);
    const firings = await t.db
      .selectFrom('trigger_firings')
      .select(['outcome', 'slot', 'run_id'])
      .where('trigger_id', '=', trigger.id)
      .execute();
    expect(
      firings
        .filter((f) => f.outcome === 'started')
        .map((f) => f.slot?.toISOString())
        .sort(),
    ).toEqual([...slots].sort());
    expect(firings.filter((f) => f.outcome !== 'started')).toEqual([]);
    // The runs really ran, on whichever worker took them.
    await until(
      'the runs to finish',
      async () => ((await runsOf(trigger.id)).slice(0, 2).every((run) => run.status === 'SUCCEEDED') ? true : null),
      { timeoutMs: 60_000 },
    );
    console.log(`schedule: ${runs.length} slots fired by two workers: ${slots.join(', ')}`);
  }, 300_000);
});
