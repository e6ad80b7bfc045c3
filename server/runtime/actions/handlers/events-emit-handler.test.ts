import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import type { TActionInvocation } from '@/server/runtime/actions/handlers/action-handler';
import { eventsEmitHandler } from '@/server/runtime/actions/handlers/events-emit-handler';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let ctx: TAuthContext;
let other: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('events_emit');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  other = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  const waiter = {
    steps: [
      {
        id: 'w',
        type: 'event.wait',
        config: { event: 'invoice.paid', correlationKey: { $expr: 'payload.id' }, saveAs: 'vars.paid' },
      },
    ],
    output: { $expr: 'vars.paid' },
  };
  await publishWorkflow({ db: t.db, ctx, key: 'waiter', document: waiter });
  await publishWorkflow({ db: t.db, ctx: other, key: 'waiter', document: waiter });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function waiting(id: string, as = ctx): Promise<string> {
  const { runId } = await startRun({
    tenantId: as.tenantId,
    workflowKey: 'waiter',
    input: { id },
    trigger: { type: 'api' },
  });
  expect(await driveRun({ db: t.db, runId })).toBe('WAITING');
  return runId;
}
function invocation(runId: string, extra: Partial<TActionInvocation> = {}): TActionInvocation {
  return {
    db: t.db,
    tenantId: ctx.tenantId,
    runId,
    stepPath: 'steps[1]',
    maskSecrets: (value) => value,
    addSecret: () => undefined,
    assertLeaseHeld: () => undefined,
    ...extra,
  };
}
const emit = (input: unknown, idempotencyKey: string, inv: TActionInvocation) =>
  eventsEmitHandler({ input, signal: new AbortController().signal, idempotencyKey, invocation: inv });
const eventsNamed = (name: string) => t.db.selectFrom('events').selectAll().where('event', '=', name).execute();

describe('events.emit@1', () => {
  it("resumes the tenant's matching waits and answers {resumed, started}, stored once per key", async () => {
    const waiter = await waiting('INV-1');
    const foreign = await waiting('INV-1', other);
    const emitter = await waiting('unrelated');
    const key = `${emitter}:steps[1]`;
    const result = await emit(
      { event: 'invoice.paid', correlationKey: 'INV-1', payload: { amount: 12 } },
      key,
      invocation(emitter),
    );
    expect(result).toEqual({ output: { resumed: [waiter], started: [] } });
    expect(await driveRun({ db: t.db, runId: waiter })).toBe('SUCCEEDED');
    expect(
      (await t.db.selectFrom('runs').select('status').where('id', '=', foreign).executeTakeFirstOrThrow()).status,
    ).toBe('WAITING');
    // The same invocation again (a retry after a crash before the step committed): no second event.
    expect(
      await emit({ event: 'invoice.paid', correlationKey: 'INV-1', payload: { amount: 12 } }, key, invocation(emitter)),
    ).toEqual(result);
    const stored = await eventsNamed('invoice.paid');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      tenant_id: ctx.tenantId,
      correlation_key: 'INV-1',
      payload: { amount: 12 },
      resumed: [waiter],
    });
    const ledger = await t.db
      .selectFrom('action_invocations')
      .select(['action', 'run_id', 'output'])
      .where('idempotency_key', '=', key)
      .execute();
    expect(ledger).toEqual([{ action: 'events.emit', run_id: emitter, output: { resumed: [waiter], started: [] } }]);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['actor_type', 'actor_label'])
      .where('target_id', '=', stored[0]!.id)
      .execute();
    expect(audit).toEqual([{ actor_type: 'system', actor_label: `run ${emitter}` }]);
  });

  it('emits exactly once when two attempts of one step race', async () => {
    const emitter = await waiting('racer');
    const key = `${emitter}:race`;
    const results = await Promise.all(
      [0, 1, 2].map(() => emit({ event: 'race.finished', payload: { n: 1 } }, key, invocation(emitter))),
    );
    expect(results.every((result) => 'output' in result)).toBe(true);
    expect(await eventsNamed('race.finished')).toHaveLength(1);
  });

  it("stores the payload with the run's secrets masked, and an event without key or payload as such", async () => {
    const emitter = await waiting('masker');
    const mask = (value: unknown) => JSON.parse(JSON.stringify(value).split('tok-777').join('••••••')) as unknown;
    await emit(
      { event: 'token.rotated', payload: { token: 'tok-777', note: 'new tok-777' } },
      `${emitter}:mask`,
      invocation(emitter, { maskSecrets: mask }),
    );
    expect((await eventsNamed('token.rotated'))[0]).toMatchObject({
      correlation_key: null,
      payload: { token: '••••••', note: 'new ••••••' },
    });
    await emit({ event: 'nightly.tick' }, `${emitter}:bare`, invocation(emitter));
    expect((await eventsNamed('nightly.tick'))[0]).toMatchObject({ correlation_key: null, payload: null });
  });

  it('answers VALIDATION for input that is not an events.emit, storing nothing', async () => {
    const emitter = await waiting('bad');
    expect(await emit({ event: '' }, `${emitter}:bad`, invocation(emitter))).toMatchObject({
      error: { code: 'VALIDATION', retryable: false },
    });
    expect(await emit({ event: 'x', extra: 1 }, `${emitter}:bad2`, invocation(emitter))).toMatchObject({
      error: { code: 'VALIDATION', retryable: false },
    });
    expect(await eventsNamed('x')).toEqual([]);
  });

  it('resumes a wait from inside a run, through the interpreter', async () => {
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'notifier',
      document: {
        steps: [
          {
            id: 'emit',
            type: 'action.call',
            config: {
              action: 'events.emit',
              version: 1,
              input: { event: 'invoice.paid', correlationKey: { $expr: 'payload.id' }, payload: { by: 'notifier' } },
              saveAs: 'vars.emitted',
            },
          },
        ],
        output: { $expr: 'vars.emitted' },
      },
    });
    const waiter = await waiting('INV-9');
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'notifier',
      input: { id: 'INV-9' },
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(
      (await t.db.selectFrom('runs').select('output').where('id', '=', runId).executeTakeFirstOrThrow()).output,
    ).toEqual({ resumed: [waiter], started: [] });
    expect(await driveRun({ db: t.db, runId: waiter })).toBe('SUCCEEDED');
    expect(
      (await t.db.selectFrom('runs').select('output').where('id', '=', waiter).executeTakeFirstOrThrow()).output,
    ).toEqual({ by: 'notifier' });
  });
});
