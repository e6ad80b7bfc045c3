import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '@/server/db/database';
import type { TWaitOutcome, TWaitRequest } from '@/server/runtime/nodes/node-result';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';
import type { RunWriter } from '@/server/runtime/interpreter/run-writer';
import type { TRunFacts } from '@/server/runtime/interpreter/run-types';
import { startRun } from '@/server/runtime/start-run';
import { faultPoint } from '@/server/runtime/fault-points';

/**
 * Stores what a step waits on, in the same batch as the step's WAITING record. A timer (a
 * delay, a retry's backoff, a wait's timeout) is a pg-boss job due at that time, sent in the
 * same transaction, so it survives any restart.
 */
export async function createWait({ writer, run, request, stepId, stepPath }: {
  writer: RunWriter;
  run: TRunFacts;
  request: TWaitRequest | { kind: 'retry'; resumeAt: Date };
  stepId: string;
  stepPath: string;
}): Promise<string> {
  const id = randomUUID();
  writer.createdWaits = true;
  const timeoutMs = request.kind === 'event' || request.kind === 'task' ? request.timeoutMs : null;
  const resumeAt = request.kind === 'timer' || request.kind === 'retry' ? request.resumeAt : timeoutMs ? new Date(Date.now() + timeoutMs) : null;
  // A child run is started before the batch commits; a failure to start fails the step instead.
  const child = request.kind === 'child' ? await startRun({ tenantId: run.tenantId, workflowKey: request.workflow, version: request.version, input: request.input, trigger: { type: 'child', id: run.id }, parent: { runId: run.id, stepPath }, defer: writer }) : null;
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
    if (request.kind === 'task') {
      const task = request.task;
      await tx
        .insertInto('tasks')
        .values({ tenant_id: run.tenantId, run_id: run.id, wait_id: id, step_id: stepId, step_path: stepPath, title: task.title, description: task.description, form: JSON.stringify(task.form), outcomes: task.outcomes, assignee: JSON.stringify(task.assignee), status: 'open', due_at: resumeAt })
        .execute();
    }
    if (request.kind === 'event' && request.lookbackMs) await matchRecentEvent(tx, { waitId: id, run, event: request.event, correlationKey: request.correlationKey, lookbackMs: request.lookbackMs });
  });
  if (request.kind === 'task') writer.event('task.created', stepId, { path: stepPath, title: request.task.title });
  return id;
}

/** With `lookbackMs`, an event received shortly before the wait began (and not yet consumed by this run) resolves it at once. */
async function matchRecentEvent(tx: Tx, args: { waitId: string; run: TRunFacts; event: string; correlationKey: string | null; lookbackMs: number }): Promise<void> {
  const match = await tx
    .selectFrom('events')
    .select(['id', 'payload'])
    .where('tenant_id', '=', args.run.tenantId)
    .where('event', '=', args.event)
    .where((eb) => (args.correlationKey === null ? eb('correlation_key', 'is', null) : eb('correlation_key', '=', args.correlationKey)))
    .where('received_at', '>=', sql<Date>`now() - make_interval(secs => ${args.lookbackMs / 1000})`)
    // An event this run already consumed is not news: a second wait for the same event and
    // key (a later step, a loop) waits for a new one instead of passing on the old one.
    .where(sql<boolean>`NOT (${args.run.id}::uuid = ANY(resumed))`)
    .orderBy('received_at', 'desc')
    .executeTakeFirst();
  if (!match) return;
  await tx.updateTable('run_waits').set({ status: 'resolved', payload: JSON.stringify(match.payload ?? null), resolved_at: sql`now()` }).where('id', '=', args.waitId).execute();
  await tx.updateTable('events').set({ resumed: sql`array_append(resumed, ${args.run.id}::uuid)` }).where('id', '=', match.id).execute();
  await tx.updateTable('runs').set({ wake_requested: true }).where('id', '=', args.run.id).execute();
}

/**
 * Where a wait stands: still open, or how it ended. A due timer resolves, a due timeout
 * expires (and its task with it); those changes commit with the writer's next batch.
 * `restart`: the wait was closed because the run ended (a run timeout, a failed branch) and
 * an operator retried the run; the waiting step runs again as a new attempt.
 */
export async function checkWait({ db, writer, waitId }: { db: Db; writer: RunWriter; waitId: string }): Promise<'open' | 'restart' | TWaitOutcome> {
  const wait = await db.selectFrom('run_waits').select(['status', 'payload', 'resume_at', 'kind']).where('id', '=', waitId).executeTakeFirst();
  if (!wait) return { kind: 'expired' };
  if (wait.status === 'resolved') return { kind: 'resolved', payload: wait.payload ?? null };
  if (wait.status === 'canceled') return 'restart';
  if (wait.status !== 'open') return { kind: 'expired' };
  if (!wait.resume_at || wait.resume_at.getTime() > Date.now()) return 'open';
  await faultPoint('wait.dueRead');
  const fired = wait.kind === 'timer' || wait.kind === 'retry';
  writer.also(async (tx) => {
    await tx.updateTable('run_waits').set({ status: fired ? 'resolved' : 'expired', resolved_at: sql`now()` }).where('id', '=', waitId).where('status', '=', 'open').execute();
    if (wait.kind === 'task') await tx.updateTable('tasks').set({ status: 'expired' }).where('wait_id', '=', waitId).where('status', '=', 'open').execute();
  });
  return fired ? { kind: 'resolved', payload: null } : { kind: 'expired' };
}
