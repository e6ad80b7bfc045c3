// The minimal outside world the fixtures need. POST /events (server/events) and task answers
// (server/tasks) are being built separately; until they exist, these helpers do what SPEC
// §4.3 says those will do, directly against `events`, `run_waits` and `tasks` plus wakeRun.
// Swap them for the real use cases once those land, and keep the fixtures as they are.
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { wakeRun } from '@/server/runtime/run-store/wake-run';
import type { TFixtureAnswer, TFixtureEvent } from '@/test/runtime-fixtures/fixture-format';

/** Stores an event for the tenant (so a later lookback can find it) without resolving any wait. */
export async function storeEvent({
  db,
  tenantId,
  event,
}: {
  db: Db;
  tenantId: string;
  event: TFixtureEvent;
}): Promise<void> {
  const receivedAt = sql<Date>`now() - make_interval(secs => ${event.receivedMsAgo / 1000})`;
  await db
    .insertInto('events')
    .values({
      tenant_id: tenantId,
      event: event.event,
      correlation_key: event.correlationKey,
      payload: JSON.stringify(event.payload),
      received_at: receivedAt,
    })
    .execute();
}

/**
 * Stores an event and resolves every open event wait of the tenant with the same name and
 * correlation key (a wait without a key matches only events without one, as the lookback
 * query in wait-store.ts does), waking each run and marking the event with the runs it resumed.
 */
export async function deliverEvent({
  db,
  tenantId,
  event,
}: {
  db: Db;
  tenantId: string;
  event: TFixtureEvent;
}): Promise<string[]> {
  return db.transaction().execute(async (tx) => {
    const stored = await tx
      .insertInto('events')
      .values({
        tenant_id: tenantId,
        event: event.event,
        correlation_key: event.correlationKey,
        payload: JSON.stringify(event.payload),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const resolved = await tx
      .updateTable('run_waits')
      .set({ status: 'resolved', payload: JSON.stringify(event.payload), resolved_at: sql`now()` })
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', 'event')
      .where('status', '=', 'open')
      .where('event', '=', event.event)
      .where((eb) =>
        event.correlationKey === null
          ? eb('correlation_key', 'is', null)
          : eb('correlation_key', '=', event.correlationKey),
      )
      .returning('run_id')
      .execute();
    const runIds = resolved.map((row) => row.run_id);
    for (const runId of runIds) await wakeRun({ db: tx, runId, reason: `event ${event.event}` });
    if (runIds.length)
      await tx
        .updateTable('events')
        .set({ resumed: sql`${runIds}::uuid[]` })
        .where('id', '=', stored.id)
        .execute();
    return runIds;
  });
}

/**
 * Completes the open task of `stepId` in the tenant (each fixture has a tenant of its own, so
 * this finds the task whether the run under test or one of its children made it): the task
 * row, its wait (payload
 * `{outcome, data, completedBy, completedAt}`, what human.task saves), a `task.completed`
 * event, and the wake-up.
 */
export async function answerTask({
  db,
  tenantId,
  completedBy,
  answer,
}: {
  db: Db;
  tenantId: string;
  completedBy: string;
  answer: TFixtureAnswer;
}): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const task = await tx
      .selectFrom('tasks')
      .select(['id', 'wait_id', 'outcomes', 'tenant_id', 'run_id'])
      .where('tenant_id', '=', tenantId)
      .where('step_id', '=', answer.stepId)
      .where('status', '=', 'open')
      .forUpdate()
      .executeTakeFirst();
    if (!task) throw new AppError('NOT_FOUND', `No open task for step "${answer.stepId}".`);
    const runId = task.run_id;
    if (!task.outcomes.includes(answer.outcome))
      throw new AppError('VALIDATION', `"${answer.outcome}" is not one of ${task.outcomes.join(', ')}.`);
    const completedAt = new Date();
    await tx
      .updateTable('tasks')
      .set({
        status: 'completed',
        outcome: answer.outcome,
        data: JSON.stringify(answer.data),
        completed_by: completedBy,
        completed_at: completedAt,
      })
      .where('id', '=', task.id)
      .execute();
    const payload = { outcome: answer.outcome, data: answer.data, completedBy, completedAt: completedAt.toISOString() };
    await tx
      .updateTable('run_waits')
      .set({ status: 'resolved', payload: JSON.stringify(payload), resolved_at: sql`now()` })
      .where('id', '=', task.wait_id)
      .where('status', '=', 'open')
      .execute();
    // The event takes the next seq under the run's row lock, like every other writer.
    const run = await tx
      .updateTable('runs')
      .set({ event_seq: sql`event_seq + 1` })
      .where('id', '=', runId)
      .returning('event_seq')
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('run_event_rows')
      .values({
        run_id: runId,
        seq: run.event_seq,
        tenant_id: task.tenant_id,
        type: 'task.completed',
        step_id: answer.stepId,
        data: JSON.stringify({ outcome: answer.outcome, completedBy }),
      })
      .execute();
    await wakeRun({ db: tx, runId, reason: `task of step ${answer.stepId} answered` });
  });
}
