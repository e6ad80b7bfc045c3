import 'server-only';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { getDb, type Db, type Tx } from '@/server/db/database';
import type { TWaitOutcome, TWaitRequest } from '@/server/runtime/nodes/node-result';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';
import type { RunWriter } from '@/server/runtime/interpreter/run-writer';
import type { TRunFacts } from '@/server/runtime/interpreter/run-types';
import { startRun } from '@/server/runtime/start-run';
import { faultPoint } from '@/server/runtime/fault-points';
import { eventMatchKey } from '@/server/runtime/run-store/event-match-lock';
import { lockRunRow } from '@/server/runtime/run-store/lock-run-row';
import { insertTask } from '@/server/tasks/insert-task';
import { notifyTasksChanged } from '@/server/tasks/tasks-changed';

/**
 * Stores what a step waits on, in the same batch as the step's WAITING record. A timer (a
 * delay, a retry's backoff, a wait's timeout) is a pg-boss job due at that time, sent in the
 * same transaction, so it survives any restart.
 */
export async function createWait({
  writer,
  run,
  request,
  stepId,
  stepPath,
}: {
  writer: RunWriter;
  run: TRunFacts;
  request: TWaitRequest | { kind: 'retry'; resumeAt: Date };
  stepId: string;
  stepPath: string;
}): Promise<string> {
  const id = randomUUID();
  writer.createdWaits = true;
  // What the database had committed when the wait began: any event it could not see yet (one
  // delivered while this wait is being created) matches the wait, even before its row commits.
  const began = request.kind === 'event' ? await snapshotNow() : null;
  if (request.kind === 'event')
    writer.lockEventMatch(
      eventMatchKey({ tenantId: run.tenantId, event: request.event, correlationKey: request.correlationKey }),
    );
  const timeoutMs = request.kind === 'event' || request.kind === 'task' ? request.timeoutMs : null;
  const resumeAt =
    request.kind === 'timer' || request.kind === 'retry'
      ? request.resumeAt
      : timeoutMs
        ? new Date(Date.now() + timeoutMs)
        : null;
  // A child run is started before the batch commits; a failure to start fails the step instead.
  const child =
    request.kind === 'child'
      ? await startRun({
          tenantId: run.tenantId,
          workflowKey: request.workflow,
          version: request.version,
          input: request.input,
          trigger: { type: 'child', id: run.id },
          parent: { runId: run.id, stepPath },
          defer: writer,
        })
      : null;
  writer.also(async (tx) => {
    await tx
      .insertInto('run_waits')
      .values({
        id,
        run_id: run.id,
        tenant_id: run.tenantId,
        step_path: stepPath,
        kind: request.kind === 'timer' ? 'timer' : request.kind,
        status: 'open',
        event: request.kind === 'event' ? request.event : null,
        correlation_key: request.kind === 'event' ? request.correlationKey : null,
        resume_at: resumeAt,
        child_run_id: child?.runId ?? null,
      })
      .execute();
    if (resumeAt) await enqueueAdvance({ db: tx, runId: run.id, startAfter: resumeAt });
    if (request.kind === 'task')
      await insertTask(tx, {
        tenantId: run.tenantId,
        runId: run.id,
        waitId: id,
        stepId,
        stepPath,
        request,
        dueAt: resumeAt,
      });
    if (request.kind === 'event' && began) {
      const since = request.lookbackMs ? new Date(began.at.getTime() - request.lookbackMs) : null;
      await matchRecentEvent(tx, {
        waitId: id,
        run,
        event: request.event,
        correlationKey: request.correlationKey,
        snapshot: began.snapshot,
        since,
      });
    }
  });
  if (request.kind === 'task') writer.event('task.created', stepId, { path: stepPath, title: request.task.title });
  return id;
}

/**
 * An event not yet consumed by this run resolves the new wait at once if it was delivered
 * while the wait was being created (not visible in the snapshot taken when the wait began; the
 * batch holds the event-match lock, so such a delivery has committed before this looks), or,
 * with `lookbackMs`, if it was received up to that long before the wait began (`since`).
 */
async function matchRecentEvent(
  tx: Tx,
  args: {
    waitId: string;
    run: TRunFacts;
    event: string;
    correlationKey: string | null;
    snapshot: string;
    since: Date | null;
  },
): Promise<void> {
  const match = await tx
    .selectFrom('events')
    .select(['id', 'payload'])
    .where('tenant_id', '=', args.run.tenantId)
    .where('event', '=', args.event)
    .where((eb) =>
      args.correlationKey === null
        ? eb('correlation_key', 'is', null)
        : eb('correlation_key', '=', args.correlationKey),
    )
    .where((eb) => {
      const deliveredMeanwhile = sql<boolean>`(xact_id IS NOT NULL AND NOT pg_visible_in_snapshot(xact_id, ${args.snapshot}::pg_snapshot))`;
      return args.since ? eb.or([deliveredMeanwhile, eb('received_at', '>=', args.since)]) : deliveredMeanwhile;
    })
    // An event this run already consumed is not news: a second wait for the same event and
    // key (a later step, a loop) waits for a new one instead of passing on the old one.
    .where(sql<boolean>`NOT (${args.run.id}::uuid = ANY(resumed))`)
    .orderBy('received_at', 'desc')
    .executeTakeFirst();
  if (!match) return;
  await tx
    .updateTable('run_waits')
    .set({ status: 'resolved', payload: JSON.stringify(match.payload ?? null), resolved_at: sql`now()` })
    .where('id', '=', args.waitId)
    .execute();
  await tx
    .updateTable('events')
    .set({ resumed: sql`array_append(resumed, ${args.run.id}::uuid)` })
    .where('id', '=', match.id)
    .execute();
  await tx.updateTable('runs').set({ wake_requested: true }).where('id', '=', args.run.id).execute();
}

/** The database's current snapshot and clock, for an event wait that begins now. */
async function snapshotNow(): Promise<{ snapshot: string; at: Date }> {
  const row = await sql<{
    snapshot: string;
    at: Date;
  }>`SELECT pg_current_snapshot()::text AS snapshot, now() AS at`.execute(getDb());
  return row.rows[0]!;
}

/**
 * Where a wait stands: still open, or how it ended. A wait that is due is closed here and now,
 * in a transaction of its own, only if it is still open: a due timer resolves, a due timeout
 * expires (and its task with it). An answer or event that committed first wins, and one that
 * comes after finds the wait closed. (Deciding from a read and writing later with the next
 * batch let a timeout silently override an answer that committed in between.)
 * `restart`: the wait was closed because the run ended (a run timeout, a failed branch) and
 * an operator retried the run; the waiting step runs again as a new attempt.
 */
export async function checkWait({
  db,
  waitId,
}: {
  db: Db;
  waitId: string;
}): Promise<'open' | 'restart' | TWaitOutcome> {
  const wait = await db
    .selectFrom('run_waits')
    .select(['status', 'payload', 'resume_at', 'kind', 'run_id'])
    .where('id', '=', waitId)
    .executeTakeFirst();
  if (!wait) return { kind: 'expired' };
  if (wait.status === 'open') {
    if (!wait.resume_at || wait.resume_at.getTime() > Date.now()) return 'open';
    await faultPoint('wait.dueRead');
    const closed = await closeDueWait(db, { waitId, runId: wait.run_id, kind: wait.kind });
    if (closed) return closed;
    return checkWait({ db, waitId }); // someone else closed it first: take what they decided
  }
  if (wait.status === 'resolved') return { kind: 'resolved', payload: wait.payload ?? null };
  if (wait.status === 'canceled') return 'restart';
  return { kind: 'expired' };
}

/** Closes a due wait if it is still open; null when it was not (another transaction closed it). */
async function closeDueWait(
  db: Db,
  { waitId, runId, kind }: { waitId: string; runId: string; kind: string },
): Promise<TWaitOutcome | null> {
  const fired = kind === 'timer' || kind === 'retry';
  return db.transaction().execute(async (tx) => {
    // The run row first, as every writer of waits and tasks locks it (see lockRunRow).
    await lockRunRow(tx, runId);
    const closed = await tx
      .updateTable('run_waits')
      .set({ status: fired ? 'resolved' : 'expired', resolved_at: sql`now()` })
      .where('id', '=', waitId)
      .where('status', '=', 'open')
      .where('resume_at', '<=', sql<Date>`now()`)
      .returning('id')
      .executeTakeFirst();
    if (!closed) return null;
    if (kind === 'task') {
      const expired = await tx
        .updateTable('tasks')
        .set({ status: 'expired' })
        .where('wait_id', '=', waitId)
        .where('status', '=', 'open')
        .returning('tenant_id')
        .executeTakeFirst();
      if (expired) await notifyTasksChanged(tx, expired.tenant_id);
    }
    return fired ? { kind: 'resolved', payload: null } : { kind: 'expired' };
  });
}
